package io.dynrag.api.search;

import java.util.List;

/**
 * Nearest chunks to a query inside one tenant's index, best first. Throws
 * {@link IllegalArgumentException}, with a message for the client, for a query it cannot embed.
 */
@FunctionalInterface
public interface ChunkSearch {

    /** @param model the customer's embedding model, whose dataset is searched */
    List<SearchHit> search(String customerId, String model, String query, int topK);
}
