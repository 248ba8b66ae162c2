package io.dynrag.api.search;

import io.dynrag.domain.search.SearchOptions;
import io.dynrag.domain.search.SearchScope;

import java.util.List;

/**
 * The best chunks for a query inside one tenant's index, best first, ranked as the options say.
 * Throws {@link IllegalArgumentException}, with a message for the client, for a query it cannot embed.
 */
@FunctionalInterface
public interface ChunkSearch {

    /**
     * @param model the embedding model whose dataset is searched
     * @param scope the rows considered; its filters apply before the {@code topK} best are chosen
     */
    List<SearchHit> search(String customerId, String model, String query, int topK, SearchScope scope,
                           SearchOptions options);
}
