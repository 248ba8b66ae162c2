package io.dynrag.vectorstore.keyword;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import org.junit.jupiter.api.Test;

class TermsTest {

    private static List<String> terms(String text) {
        return Terms.of(text).stream().map(Terms.Term::text).toList();
    }

    @Test
    void errorCodesStayWhole() {
        assertThat(terms("ERROR: SQLSTATE 40P01 deadlock detected")).containsExactly(
                "error", "sqlstate", "40p01", "deadlock", "detected", "detect");
    }

    @Test
    void flagsKeepTheirDashesAndAreSplit() {
        assertThat(terms("run it with --dry-run first")).containsExactly(
                "run", "it", "with", "--dry-run", "dry-run", "dry", "dri", "run", "first");
        assertThat(terms("-v")).containsExactly("-v", "v");
    }

    @Test
    void dottedSnakeAndCamelNamesAreWholeAndSplit() {
        assertThat(terms("call os.path.join(a, b).")).containsExactly(
                "call", "os.path.join", "os", "path", "join", "a", "b");
        assertThat(terms("SELECT * FROM pg_stat_activity;")).containsExactly(
                "select", "from", "pg_stat_activity", "pg", "stat", "activity", "activ");
        assertThat(terms("getUserName and HTTPServer")).containsExactly(
                "getusername", "get", "user", "name", "and", "httpserver", "http", "server");
    }

    @Test
    void sentencePunctuationIsNotPartOfTheTerm() {
        assertThat(terms("See the end. Or /etc/hosts, - and .env")).containsExactly(
                "see", "the", "end", "or", "etc/hosts", "etc", "hosts", "host", "and", "env");
    }

    @Test
    void wordsAndPartsAlsoGiveTheirStemButIdentifiersStayWhole() {
        assertThat(terms("Indexing indexes")).containsExactly("indexing", "index", "indexes", "index");
        assertThat(terms("max_connections")).containsExactly("max_connections", "max", "connections", "connect");
        assertThat(terms("index 40P01s café")).as("a word that is its own stem, runs with digits or other letters")
                .containsExactly("index", "40p01s", "café");
    }

    @Test
    void offsetsPointIntoTheText() {
        String text = "use pg_stat_activity now";
        for (Terms.Term term : Terms.of(text)) {
            String atOffsets = text.substring(term.start(), term.end()).toLowerCase();
            assertThat(term.kind() == Terms.Kind.STEM ? atOffsets.startsWith(term.text()) : atOffsets.equals(term.text()))
                    .as(term.toString()).isTrue();
        }
        assertThat(Terms.of(text)).filteredOn(term -> term.text().equals("stat"))
                .containsExactly(new Terms.Term("stat", 7, 11, Terms.Kind.PART));
        assertThat(Terms.of(text)).filteredOn(term -> term.kind() == Terms.Kind.STEM)
                .containsExactly(new Terms.Term("activ", 12, 20, Terms.Kind.STEM));
    }

    @Test
    void queriesLeaveStopWordsOutAndWeighStemsLess() {
        assertThat(Terms.ofQuery("why are there tides in the pg_stat_activity view")).containsExactly(
                entry("tides", 1f), entry("tide", Terms.STEM_WEIGHT), entry("pg_stat_activity", 1f), entry("pg", 1f),
                entry("stat", 1f), entry("activity", 1f), entry("activ", Terms.STEM_WEIGHT), entry("view", 1f));
        assertThat(Terms.ofQuery("how should I do this? would you")).isEmpty();
        assertThat(Terms.ofQuery("indexes of an index")).as("a stem the query also has as a word weighs in full")
                .containsExactly(entry("indexes", 1f), entry("index", 1f));
    }

    @Test
    void highlightsMergeAnIdentifierWithItsParts() {
        String text = "Query pg_stat_activity; stat counters and Stat.";
        assertThat(Highlights.of(text, "pg_stat_activity")).containsExactly(
                new Highlights.Range(6, 22), new Highlights.Range(24, 28), new Highlights.Range(42, 46));
        assertThat(Highlights.of(text, "the")).isEmpty();
    }

    @Test
    void highlightsMarkTheOtherFormsOfAWord() {
        String text = "Indexing a table; its index.";
        assertThat(Highlights.of(text, "indexes")).containsExactly(
                new Highlights.Range(0, 8), new Highlights.Range(22, 27));
    }
}
