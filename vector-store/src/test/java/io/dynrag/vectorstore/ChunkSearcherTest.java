package io.dynrag.vectorstore;

import io.dynrag.domain.search.SearchMode;
import io.dynrag.domain.search.SearchOptions;
import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.hybrid.RankedChunk;
import io.dynrag.vectorstore.keyword.Highlights;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChunkSearcherTest {

    @TempDir
    Path lanceRoot;

    private LanceChunkStore store;

    @BeforeEach
    void openStore() {
        store = new LanceChunkStore(lanceRoot);
        store.replaceDocument("tenant-a", "narrow", "doc-n", List.of(row("doc-n", "narrow", 0, new float[] {1, 0})));
        store.replaceDocument("tenant-a", "wide", "doc-w", List.of(row("doc-w", "wide", 0, new float[] {0, 0, 1})));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void searchesTheDatasetOfTheModelThatEmbeddedTheQuery() {
        ChunkSearcher searcher = new ChunkSearcher((customerId, modelId, query) ->
                new QueryEmbedder.EmbeddedQuery("wide", new float[] {0, 0, 1}), store);

        for (SearchMode mode : SearchMode.values()) {
            assertThat(searcher.search("tenant-a", "", "text", 5, SearchScope.LATEST, options(mode)))
                    .as(mode.wireName()).extracting(hit -> hit.chunk().documentId()).containsExactly("doc-w");
        }
    }

    @Test
    void aQueryThatCannotBeEmbeddedSearchesNothing() {
        ChunkSearcher searcher = new ChunkSearcher((customerId, modelId, query) -> {
            throw new IllegalArgumentException("the query has 300 tokens");
        }, store);

        assertThatThrownBy(() -> searcher.search("tenant-a", "", "long", 5, SearchScope.LATEST, SearchOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the query has 300 tokens");
        assertThat(searcher.search("tenant-a", "narrow", "text", 5, SearchScope.LATEST, options(SearchMode.KEYWORD)))
                .as("keyword mode of a named model embeds nothing").hasSize(1);
    }

    @Test
    void hybridFindsAnIdentifierTheVectorsRankLast() {
        // The query's vector points at chunk 0; the identifier is only in chunk 3, furthest away.
        store.replaceDocument("tenant-a", "narrow", "doc-n", List.of(
                row("doc-n", "narrow", 0, new float[] {1, 0}, "restart the server after a deadlock"),
                row("doc-n", "narrow", 1, new float[] {1, 0.2f}, "deadlocks are retried"),
                row("doc-n", "narrow", 2, new float[] {1, 0.5f}, "see the logs"),
                row("doc-n", "narrow", 3, new float[] {0, 1}, "SQLSTATE 40P01 deadlock_detected")));
        ChunkSearcher searcher = new ChunkSearcher((customerId, modelId, query) ->
                new QueryEmbedder.EmbeddedQuery("narrow", new float[] {1, 0}), store);

        List<RankedChunk> vector = searcher.search("tenant-a", "narrow", "40P01", 4, SearchScope.LATEST,
                options(SearchMode.VECTOR));
        List<RankedChunk> hybrid = searcher.search("tenant-a", "narrow", "40P01", 4, SearchScope.LATEST,
                SearchOptions.DEFAULT);

        assertThat(vector.getLast().chunk().chunkIndex()).isEqualTo(3);
        assertThat(vector.getLast().keywordScore()).isNull();
        RankedChunk best = hybrid.getFirst();
        assertThat(best.chunk().chunkIndex()).isEqualTo(3);
        assertThat(best.vectorScore()).isNotNull();
        assertThat(best.keywordScore()).isPositive();
        assertThat(best.highlights()).containsExactly(new Highlights.Range(9, 14));
        assertThat(hybrid.get(1).keywordScore()).isNull();
    }

    private static SearchOptions options(SearchMode mode) {
        return new SearchOptions(mode, OptionalDouble.of(0.5), OptionalInt.empty(), OptionalDouble.empty());
    }

    private static ChunkRow row(String documentId, String model, int chunkIndex, float[] vector) {
        return row(documentId, model, chunkIndex, vector, "text of " + documentId);
    }

    private static ChunkRow row(String documentId, String model, int chunkIndex, float[] vector, String text) {
        return new ChunkRow(documentId, 1, chunkIndex, text, 3, "hash-" + chunkIndex, 0, 10, null, model, vector);
    }
}
