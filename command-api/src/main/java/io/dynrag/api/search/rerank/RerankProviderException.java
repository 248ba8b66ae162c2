package io.dynrag.api.search.rerank;

/**
 * The customer's rerank provider did not answer a search with scores: a refusal (its status and reason), no
 * answer, or an answer that is not one. The search fails rather than answering unreranked hits the client did
 * not ask for. Messages never hold the customer's key.
 */
public final class RerankProviderException extends RuntimeException {

    public RerankProviderException(String message) {
        super(message);
    }
}
