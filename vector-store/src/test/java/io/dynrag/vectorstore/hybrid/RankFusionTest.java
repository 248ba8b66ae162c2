package io.dynrag.vectorstore.hybrid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dynrag.domain.search.SearchMode;
import io.dynrag.domain.search.SearchOptions;
import io.dynrag.vectorstore.search.ChunkMatch;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RankFusionTest {

    private static final List<ChunkMatch> VECTOR = List.of(match("a", 0, 0.9), match("a", 1, 0.8), match("b", 0, 0.7));
    private static final List<ChunkMatch> KEYWORD = List.of(match("b", 0, 7.5), match("c", 0, 3.0));

    @Test
    void fusesByReciprocalRankAndReportsBothScores() {
        List<RankedChunk> hits = RankFusion.rank("q", VECTOR, KEYWORD, options(SearchMode.HYBRID, 0.5, null, null), 10);

        assertThat(hits).extracting(hit -> hit.chunk().documentId() + hit.chunk().chunkIndex())
                .containsExactly("b0", "a0", "a1", "c0");
        RankedChunk both = hits.getFirst();
        assertThat(both.score()).isCloseTo(0.5 / (60 + 3) + 0.5 / (60 + 1), within(1e-12));
        assertThat(both.vectorScore()).isEqualTo(0.7);
        assertThat(both.keywordScore()).isEqualTo(7.5);
        assertThat(hits.get(1).keywordScore()).isNull();
        assertThat(hits.getLast().vectorScore()).isNull();
    }

    @Test
    void theWeightMovesTheRankingTowardsOneSide() {
        assertThat(RankFusion.rank("q", VECTOR, KEYWORD, options(SearchMode.HYBRID, 0.0, null, null), 10))
                .extracting(hit -> hit.chunk().documentId() + hit.chunk().chunkIndex())
                .startsWith("a0", "a1", "b0");
        assertThat(RankFusion.rank("q", VECTOR, KEYWORD, options(SearchMode.HYBRID, 1.0, null, null), 10))
                .extracting(hit -> hit.chunk().documentId() + hit.chunk().chunkIndex())
                .startsWith("b0", "c0");
    }

    @Test
    void withoutAWeightTheQuerysShapeChoosesIt() {
        List<ChunkMatch> vector = List.of(match("a", 0, 0.9), match("b", 0, 0.8));
        List<ChunkMatch> keyword = List.of(match("c", 0, 7.5));

        // c0 is first by keyword and b0 second by vector: at 0.5 the first rank outweighs the second, at 0.3 not.
        assertThat(RankFusion.rank("os.listdir", vector, keyword, options(SearchMode.HYBRID, null, null, null), 10))
                .extracting(hit -> hit.chunk().documentId() + hit.chunk().chunkIndex())
                .containsExactly("a0", "c0", "b0");
        assertThat(RankFusion.rank("list the files in a folder", vector, keyword,
                options(SearchMode.HYBRID, null, null, null), 10))
                .extracting(hit -> hit.chunk().documentId() + hit.chunk().chunkIndex())
                .containsExactly("a0", "b0", "c0");
        assertThat(RankFusion.rank("list the files in a folder", vector, keyword,
                options(SearchMode.HYBRID, 0.5, null, null), 10))
                .extracting(hit -> hit.chunk().documentId() + hit.chunk().chunkIndex())
                .as("a weight the request names wins over the shape's").containsExactly("a0", "c0", "b0");
    }

    @Test
    void singleModesRankByTheirOwnScore() {
        assertThat(RankFusion.rank("q", VECTOR, List.of(), options(SearchMode.VECTOR, 0.5, null, null), 2))
                .extracting(RankedChunk::score).containsExactly(0.9, 0.8);
        assertThat(RankFusion.rank("q", List.of(), KEYWORD, options(SearchMode.KEYWORD, 0.5, null, null), 10))
                .extracting(RankedChunk::score).containsExactly(7.5, 3.0);
    }

    @Test
    void minScoreAndMaxChunksPerDocumentShapeTheAnswer() {
        assertThat(RankFusion.rank("q", VECTOR, List.of(), options(SearchMode.VECTOR, 0.5, 1, null), 10))
                .extracting(hit -> hit.chunk().documentId() + hit.chunk().chunkIndex())
                .containsExactly("a0", "b0");
        assertThat(RankFusion.rank("q", VECTOR, List.of(), options(SearchMode.VECTOR, 0.5, null, 0.75), 10))
                .extracting(RankedChunk::score).containsExactly(0.9, 0.8);
    }

    @Test
    void highlightsTheQueryTermsInEachHit() {
        List<RankedChunk> hits = RankFusion.rank("pg_stat_activity", List.of(
                new ChunkMatch("a", 1, 0, "see pg_stat_activity", null, 0.5)), List.of(),
                options(SearchMode.VECTOR, 0.5, null, null), 10);

        assertThat(hits.getFirst().highlights()).extracting(range -> range.start() + "-" + range.end())
                .containsExactly("4-20");
    }

    private static SearchOptions options(SearchMode mode, Double keywordWeight, Integer perDocument, Double minScore) {
        return new SearchOptions(mode, keywordWeight == null ? OptionalDouble.empty() : OptionalDouble.of(keywordWeight),
                perDocument == null ? OptionalInt.empty() : OptionalInt.of(perDocument),
                minScore == null ? OptionalDouble.empty() : OptionalDouble.of(minScore));
    }

    private static ChunkMatch match(String documentId, int chunkIndex, double score) {
        return new ChunkMatch(documentId, 1, chunkIndex, "text " + documentId + chunkIndex, null, score);
    }
}
