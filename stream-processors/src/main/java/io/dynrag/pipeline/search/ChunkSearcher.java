package io.dynrag.pipeline.search;

import io.dynrag.domain.search.SearchScope;
import io.dynrag.pipeline.embedding.EmbeddingModel;
import io.dynrag.pipeline.embedding.EmbeddingModels;
import io.dynrag.pipeline.lance.ChunkMatch;
import io.dynrag.pipeline.lance.LanceChunkStore;

import java.util.List;

/** Semantic search in a tenant's dataset: the query is embedded by the dataset's own model. */
public final class ChunkSearcher {

    private final EmbeddingModels models;
    private final LanceChunkStore store;

    public ChunkSearcher(EmbeddingModels models, LanceChunkStore store) {
        this.models = models;
        this.store = store;
    }

    /**
     * @param modelId the customer's embedding model, which names its dataset (empty for the local model)
     * @param scope   the dataset version and documents searched
     * @throws IllegalArgumentException when the query is longer than the model accepts or the model
     *                                  cannot be used
     */
    public List<ChunkMatch> search(String customerId, String modelId, String query, int topK, SearchScope scope) {
        try (EmbeddingModels.Handle handle = models.forCustomer(customerId, modelId)) {
            EmbeddingModel model = handle.model();
            int tokens = model.tokenizer().count(query);
            if (tokens > model.maxInputTokens()) {
                throw new IllegalArgumentException("the query has " + tokens + " tokens; the embedding model "
                        + model.id() + " accepts at most " + model.maxInputTokens());
            }
            return store.search(customerId, model.id(), model.embed(query), topK, scope);
        } catch (EmbeddingModels.UnavailableModelException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
