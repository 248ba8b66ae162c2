package io.dynrag.pipeline.embedding;

import io.dynrag.vectorstore.QueryEmbedder;

/** Embeds search queries with the customer's model, the one its dataset's vectors come from. */
public final class QueryEmbedding implements QueryEmbedder {

    private final EmbeddingModels models;

    public QueryEmbedding(EmbeddingModels models) {
        this.models = models;
    }

    /** A query is never truncated: one longer than the model accepts is refused, as a chunk would be. */
    @Override
    public EmbeddedQuery embed(String customerId, String modelId, String query) {
        try (EmbeddingModels.Handle handle = models.forCustomer(customerId, modelId)) {
            EmbeddingModel model = handle.model();
            int tokens = model.tokenizer().count(query);
            if (tokens > model.maxInputTokens()) {
                throw new IllegalArgumentException("the query has " + tokens + " tokens; the embedding model "
                        + model.id() + " accepts at most " + model.maxInputTokens());
            }
            return new EmbeddedQuery(model.id(), model.embed(query));
        } catch (EmbeddingModels.UnavailableModelException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
