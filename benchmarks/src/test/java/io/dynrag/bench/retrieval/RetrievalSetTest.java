package io.dynrag.bench.retrieval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The label files' integrity: what the benchmark's figures rest on. */
class RetrievalSetTest {

    static final List<String> SETS = RetrievalCorpus.SETS;

    @ParameterizedTest
    @FieldSource("SETS")
    void everyQueryHasARelevantPageAndEveryLabelledPageIsInTheSubset(String set) {
        RetrievalCorpus corpus = RetrievalCorpus.of(set);
        List<RetrievalSet.Query> queries = RetrievalSet.of(set);
        assertThat(queries).hasSizeGreaterThanOrEqualTo(150);
        Set<String> ids = new HashSet<>();
        Set<String> texts = new HashSet<>();
        for (RetrievalSet.Query query : queries) {
            assertThat(ids.add(query.id())).as("id %s once", query.id()).isTrue();
            assertThat(texts.add(query.text())).as("query '%s' once", query.text()).isTrue();
            assertThat(query.text()).as(query.id()).isNotBlank();
            assertThat(query.grades().values()).as(query.id()).contains(2).allMatch(g -> g == 1 || g == 2);
            assertThat(corpus.pages()).as(query.id()).containsAll(query.grades().keySet());
        }
    }

    @ParameterizedTest
    @FieldSource("SETS")
    void bothKindsOfQueryAreWellRepresented(String set) {
        List<RetrievalSet.Query> queries = RetrievalSet.of(set);
        for (RetrievalSet.Kind kind : RetrievalSet.Kind.values()) {
            assertThat(queries.stream().filter(q -> q.kind() == kind).count()).as(kind.name())
                    .isGreaterThanOrEqualTo(50);
        }
    }

    @ParameterizedTest
    @FieldSource("SETS")
    void eachCorpusIsPinnedToOnePackageFile(String set) {
        RetrievalCorpus corpus = RetrievalCorpus.of(set);
        assertThat(corpus.set()).isEqualTo(set);
        assertThat(corpus.sha256()).matches("[0-9a-f]{64}");
        assertThat(corpus.urls()).isNotEmpty().allMatch(url -> url.toString().endsWith(corpus.debFileName())
                || url.getHost().equals("snapshot.debian.org"));
        assertThat(corpus.htmlPrefix()).endsWith("/");
        assertThat(corpus.pages()).hasSizeBetween(200, 800).allMatch(page -> page.endsWith(".html"));
    }

    @Test
    void theDefaultSetIsPostgreSqlAndTheSecondPythonEachWithItsOwnPages() {
        assertThat(SETS).containsExactly("postgresql", "python");
        assertThat(RetrievalCorpus.of("postgresql").debFileName()).isEqualTo("postgresql-doc-15_15.18-0+deb12u1_all.deb");
        assertThat(RetrievalCorpus.of("python").debFileName()).isEqualTo("python3.11-doc_3.11.2-6+deb12u8_all.deb");
        // The python pages sit in subdirectories of the package's html directory.
        assertThat(RetrievalCorpus.of("python").pages()).contains("library/os.path.html", "tutorial/errors.html")
                .doesNotContainAnyElementsOf(RetrievalCorpus.of("postgresql").pages());
    }

    @Test
    void anUnknownSetIsNamed() {
        assertThatThrownBy(() -> RetrievalSet.of("mysql")).hasMessageContaining("'mysql'")
                .hasMessageContaining("[postgresql, python]");
    }

    @Test
    void aMalformedLineIsNamed() {
        assertThatThrownBy(() -> RetrievalSet.parse("{\"id\": \"q1\", \"kind\": \"question\"}\n"))
                .hasMessageContaining("line 1");
    }
}
