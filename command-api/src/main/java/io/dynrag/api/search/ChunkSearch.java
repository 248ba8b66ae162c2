package io.dynrag.api.search;

import java.util.List;

/**
 * Nearest chunks to a query inside one tenant's index, best first. Throws
 * {@link IllegalArgumentException}, with a message for the client, for a query it cannot embed.
 */
@FunctionalInterface
public interface ChunkSearch {

    List<SearchHit> search(String customerId, String query, int topK);
}
