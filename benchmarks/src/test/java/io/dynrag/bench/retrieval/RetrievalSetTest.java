package io.dynrag.bench.retrieval;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The label file's integrity: what the benchmark's figures rest on. */
class RetrievalSetTest {

    private final RetrievalCorpus corpus = RetrievalCorpus.standard();
    private final List<RetrievalSet.Query> queries = RetrievalSet.standard();

    @Test
    void everyQueryHasARelevantPageAndEveryLabelledPageIsInTheSubset() {
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

    @Test
    void bothKindsOfQueryAreWellRepresented() {
        for (RetrievalSet.Kind kind : RetrievalSet.Kind.values()) {
            assertThat(queries.stream().filter(q -> q.kind() == kind).count()).as(kind.name())
                    .isGreaterThanOrEqualTo(50);
        }
    }

    @Test
    void theCorpusIsPinnedToOnePackageFile() {
        assertThat(corpus.sha256()).matches("[0-9a-f]{64}");
        assertThat(corpus.debFileName()).isEqualTo("postgresql-doc-15_15.18-0+deb12u1_all.deb");
        assertThat(corpus.pages()).hasSizeBetween(300, 800).allMatch(page -> page.endsWith(".html"));
    }

    @Test
    void aMalformedLineIsNamed() {
        assertThatThrownBy(() -> RetrievalSet.parse("{\"id\": \"q1\", \"kind\": \"question\"}\n"))
                .hasMessageContaining("line 1");
    }
}
