package io.dynrag.vectorstore.keyword;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TermsTest {

    private static List<String> terms(String text) {
        return Terms.of(text).stream().map(Terms.Term::text).toList();
    }

    @Test
    void errorCodesStayWhole() {
        assertThat(terms("ERROR: SQLSTATE 40P01 deadlock detected")).containsExactly(
                "error", "sqlstate", "40p01", "deadlock", "detected");
    }

    @Test
    void flagsKeepTheirDashesAndAreSplit() {
        assertThat(terms("run it with --dry-run first")).containsExactly(
                "run", "it", "with", "--dry-run", "dry-run", "dry", "run", "first");
        assertThat(terms("-v")).containsExactly("-v", "v");
    }

    @Test
    void dottedSnakeAndCamelNamesAreWholeAndSplit() {
        assertThat(terms("call os.path.join(a, b).")).containsExactly(
                "call", "os.path.join", "os", "path", "join", "a", "b");
        assertThat(terms("SELECT * FROM pg_stat_activity;")).containsExactly(
                "select", "from", "pg_stat_activity", "pg", "stat", "activity");
        assertThat(terms("getUserName and HTTPServer")).containsExactly(
                "getusername", "get", "user", "name", "and", "httpserver", "http", "server");
    }

    @Test
    void sentencePunctuationIsNotPartOfTheTerm() {
        assertThat(terms("See the end. Or /etc/hosts, - and .env")).containsExactly(
                "see", "the", "end", "or", "etc/hosts", "etc", "hosts", "and", "env");
    }

    @Test
    void offsetsPointIntoTheText() {
        String text = "use pg_stat_activity now";
        for (Terms.Term term : Terms.of(text)) {
            assertThat(text.substring(term.start(), term.end()).toLowerCase()).isEqualTo(term.text());
        }
        assertThat(Terms.of(text)).filteredOn(term -> term.text().equals("stat"))
                .containsExactly(new Terms.Term("stat", 7, 11, false));
    }

    @Test
    void queriesLeaveStopWordsOut() {
        assertThat(Terms.ofQuery("why are there tides in the pg_stat_activity view"))
                .containsExactly("tides", "pg_stat_activity", "pg", "stat", "activity", "view");
    }

    @Test
    void highlightsMergeAnIdentifierWithItsParts() {
        String text = "Query pg_stat_activity; stat counters and Stat.";
        assertThat(Highlights.of(text, "pg_stat_activity")).containsExactly(
                new Highlights.Range(6, 22), new Highlights.Range(24, 28), new Highlights.Range(42, 46));
        assertThat(Highlights.of(text, "the")).isEmpty();
    }
}
