package io.dynrag.vectorstore;

import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.search.ChunkMatch;

import java.util.List;

/** Semantic search in a tenant's dataset: the query is embedded by the dataset's own model. */
public final class ChunkSearcher {

    private final QueryEmbedder embedder;
    private final LanceChunkStore store;

    public ChunkSearcher(QueryEmbedder embedder, LanceChunkStore store) {
        this.embedder = embedder;
        this.store = store;
    }

    /**
     * @param modelId the customer's embedding model, which names its dataset (empty for the local model)
     * @param scope   the dataset version and documents searched
     * @throws IllegalArgumentException when the query is longer than the model accepts or the model
     *                                  cannot be used
     */
    public List<ChunkMatch> search(String customerId, String modelId, String query, int topK, SearchScope scope) {
        QueryEmbedder.EmbeddedQuery embedded = embedder.embed(customerId, modelId, query);
        return store.search(customerId, embedded.model(), embedded.vector(), topK, scope);
    }
}
