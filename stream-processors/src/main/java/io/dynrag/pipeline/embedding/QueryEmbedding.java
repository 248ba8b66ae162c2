package io.dynrag.pipeline.embedding;

import io.dynrag.vectorstore.QueryEmbedder;

/**
 * Embeds search queries with the customer's model, the one its dataset's vectors come from, as that
 * model embeds queries ({@link EmbeddingModel#queryText}).
 */
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
            String text = model.queryText(query);
            // Counted as embedded, the model's query instruction included, so the limit holds for what the model sees.
            int tokens = model.tokenizer().count(text);
            if (tokens > model.maxInputTokens()) {
                throw new IllegalArgumentException("the query has " + tokens + " tokens"
                        + (text.equals(query) ? "" : " with the instruction " + model.id() + " puts before queries")
                        + "; the embedding model " + model.id() + " accepts at most " + model.maxInputTokens());
            }
            return new EmbeddedQuery(model.id(), model.embed(text));
        } catch (EmbeddingModels.UnavailableModelException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
