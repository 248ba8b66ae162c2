package io.dynrag.pipeline.search;

import io.dynrag.pipeline.embedding.EmbeddingModel;
import io.dynrag.pipeline.lance.ChunkMatch;
import io.dynrag.pipeline.lance.LanceChunkStore;

import java.util.List;

/** Semantic search in a tenant's dataset: the query is embedded by the dataset's own model. */
public final class ChunkSearcher {

    private final EmbeddingModel model;
    private final LanceChunkStore store;

    public ChunkSearcher(EmbeddingModel model, LanceChunkStore store) {
        this.model = model;
        this.store = store;
    }

    /** @throws IllegalArgumentException when the query is longer than the model accepts */
    public List<ChunkMatch> search(String customerId, String query, int topK) {
        int tokens = model.tokenizer().count(query);
        if (tokens > model.maxInputTokens()) {
            throw new IllegalArgumentException("the query has " + tokens + " word pieces; the embedding model "
                    + model.id() + " accepts at most " + model.maxInputTokens());
        }
        return store.search(customerId, model.id(), model.embed(query), topK);
    }
}
