package io.dynrag.vectorstore;

/**
 * Turns a search query into a vector of the model whose dataset is searched. The embedding models
 * are the pipeline's; the search only needs this of them.
 */
@FunctionalInterface
public interface QueryEmbedder {

    /**
     * @param modelId the customer's embedding model (empty for the default one)
     * @throws IllegalArgumentException with a message for the client, when the query cannot be
     *                                  embedded (longer than the model accepts, or the model cannot be used)
     */
    EmbeddedQuery embed(String customerId, String modelId, String query);

    /** @param model the id of the model that embedded the query, which names the dataset to search */
    record EmbeddedQuery(String model, float[] vector) {
    }
}
