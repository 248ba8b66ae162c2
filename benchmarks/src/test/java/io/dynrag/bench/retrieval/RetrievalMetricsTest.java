package io.dynrag.bench.retrieval;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RetrievalMetricsTest {

    private static final Map<String, Integer> GRADES = Map.of("a", 2, "b", 1, "c", 1);

    @Test
    void chunksOfOnePageCountOnceAtTheirBestRank() {
        assertThat(RetrievalMetrics.pages(List.of("x", "a", "x", "b", "a", "c")))
                .containsExactly("x", "a", "b", "c");
    }

    @Test
    void ndcgWeighsGradesAndRanks() {
        // Ideal: a, b, c -> 3/log2(2) + 1/log2(3) + 1/log2(4) = 3 + 0.63093 + 0.5 = 4.13093.
        assertThat(RetrievalMetrics.ndcg(List.of("a", "b", "c"), GRADES, 10)).isCloseTo(1.0, within(1e-9));
        // x, a, c: 0 + 3/log2(3) + 1/log2(4) = 1.89279 + 0.5 = 2.39279; / 4.13093 = 0.57924.
        assertThat(RetrievalMetrics.ndcg(List.of("x", "a", "c"), GRADES, 10)).isCloseTo(0.57924, within(1e-5));
        // Only the first k count: at k = 1 the ideal is 3 and x, a earns nothing.
        assertThat(RetrievalMetrics.ndcg(List.of("x", "a"), GRADES, 1)).isZero();
        // b first at k = 1: 1 / 3.
        assertThat(RetrievalMetrics.ndcg(List.of("b", "a"), GRADES, 1)).isCloseTo(1.0 / 3, within(1e-9));
        assertThat(RetrievalMetrics.ndcg(List.of(), GRADES, 10)).isZero();
    }

    @Test
    void recallIsTheShareOfRelevantPagesFound() {
        assertThat(RetrievalMetrics.recall(List.of("x", "c", "y", "a"), GRADES, 10)).isCloseTo(2.0 / 3,
                within(1e-9));
        assertThat(RetrievalMetrics.recall(List.of("x", "c", "y", "a"), GRADES, 2)).isCloseTo(1.0 / 3,
                within(1e-9));
        assertThat(RetrievalMetrics.recall(List.of("x"), GRADES, 10)).isZero();
    }

    @Test
    void reciprocalRankIsOfTheFirstRelevantPageWithinK() {
        assertThat(RetrievalMetrics.reciprocalRank(List.of("x", "y", "b", "a"), GRADES, 10)).isCloseTo(1.0 / 3,
                within(1e-9));
        assertThat(RetrievalMetrics.reciprocalRank(List.of("a"), GRADES, 10)).isEqualTo(1.0);
        assertThat(RetrievalMetrics.reciprocalRank(List.of("x", "y", "b"), GRADES, 2)).isZero();
    }
}
