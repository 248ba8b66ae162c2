package io.dynrag.vectorstore;

import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.search.ChunkMatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChunkSearcherTest {

    @TempDir
    Path lanceRoot;

    private LanceChunkStore store;

    @BeforeEach
    void openStore() {
        store = new LanceChunkStore(lanceRoot);
        store.replaceDocument("tenant-a", "narrow", "doc-n", List.of(row("doc-n", "narrow", new float[] {1, 0})));
        store.replaceDocument("tenant-a", "wide", "doc-w", List.of(row("doc-w", "wide", new float[] {0, 0, 1})));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void searchesTheDatasetOfTheModelThatEmbeddedTheQuery() {
        ChunkSearcher searcher = new ChunkSearcher((customerId, modelId, query) ->
                new QueryEmbedder.EmbeddedQuery("wide", new float[] {0, 0, 1}), store);

        assertThat(searcher.search("tenant-a", "", "anything", 5, SearchScope.LATEST))
                .extracting(ChunkMatch::documentId).containsExactly("doc-w");
    }

    @Test
    void aQueryThatCannotBeEmbeddedSearchesNothing() {
        ChunkSearcher searcher = new ChunkSearcher((customerId, modelId, query) -> {
            throw new IllegalArgumentException("the query has 300 tokens");
        }, store);

        assertThatThrownBy(() -> searcher.search("tenant-a", "", "long", 5, SearchScope.LATEST))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the query has 300 tokens");
    }

    private static ChunkRow row(String documentId, String model, float[] vector) {
        return new ChunkRow(documentId, 1, 0, "text of " + documentId, 3, "hash", 0, 10, null, model, vector);
    }
}
