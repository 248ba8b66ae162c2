package io.dynrag.vectorstore;

import io.dynrag.domain.search.SearchMode;
import io.dynrag.domain.search.SearchOptions;
import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.hybrid.RankFusion;
import io.dynrag.vectorstore.hybrid.RankedChunk;
import io.dynrag.vectorstore.search.ChunkMatch;
import io.dynrag.vectorstore.search.NearestChunks;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * Search in a tenant's dataset, by vector, keyword or both ({@link SearchMode}): the query is
 * embedded by the dataset's own model, its terms looked up in the keyword index of the same rows,
 * and the candidates ranked and shaped by {@link RankFusion}. Both sides search the rows the
 * {@link SearchScope} names, so versions, deletes and document filters are the same in every mode.
 */
public final class ChunkSearcher {

    /** Candidates each side hands to the fusion in hybrid mode, however few hits are asked for. */
    static final int FUSION_CANDIDATES = 50;
    /** With a per-document limit, each side looks this many times further down its ranking. */
    static final int PER_DOCUMENT_REACH = 10;
    static final int MAX_CANDIDATES = 1_000;
    /** Where the keyword side of a hybrid search runs: a virtual thread each, as searches come. */
    private static final Executor KEYWORD_SIDE = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("keyword-side-", 0).factory());

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
     *                                  cannot be used (vector and hybrid modes)
     */
    public List<RankedChunk> search(String customerId, String modelId, String query, int topK, SearchScope scope,
                                    SearchOptions options) {
        int reach = options.maxChunksPerDocument().isPresent()
                ? Math.min(MAX_CANDIDATES, topK * PER_DOCUMENT_REACH) : topK;
        int candidates = options.mode() == SearchMode.HYBRID ? Math.max(reach, FUSION_CANDIDATES) : reach;
        if (options.mode() == SearchMode.KEYWORD && !modelId.isEmpty()) {
            return RankFusion.rank(query, List.of(), store.keywordSearch(customerId, modelId, query, candidates, scope),
                    options, topK);
        }
        // Only the embedding names the default model's dataset.
        QueryEmbedder.EmbeddedQuery embedded = embedder.embed(customerId, modelId, query);
        String model = embedded.model();
        List<ChunkMatch> vector = List.of();
        List<ChunkMatch> keyword = List.of();
        switch (options.mode()) {
            case VECTOR -> vector = nearest(customerId, model, embedded, candidates, reach, scope);
            case KEYWORD -> keyword = store.keywordSearch(customerId, model, query, candidates, scope);
            case HYBRID -> {
                // The two sides share nothing until the fusion: the keyword side runs beside the vector side,
                // so a hybrid search takes about as long as the slower of the two rather than both.
                CompletableFuture<List<ChunkMatch>> keywordSide = CompletableFuture.supplyAsync(
                        () -> store.keywordSearch(customerId, model, query, candidates, scope), KEYWORD_SIDE);
                vector = nearest(customerId, model, embedded, candidates, reach, scope);
                keyword = joined(keywordSide);
            }
        }
        return RankFusion.rank(query, vector, keyword, options, topK);
    }

    /** The first {@code reach} ranked as a search for that many would rank them; the rest are candidates. */
    private List<ChunkMatch> nearest(String customerId, String model, QueryEmbedder.EmbeddedQuery embedded,
                                     int candidates, int reach, SearchScope scope) {
        return store.search(customerId, model, embedded.vector(), new NearestChunks.Depth(candidates, reach), scope);
    }

    /** The keyword side's answer, or the exception it threw, as if it had run on this thread. */
    private static List<ChunkMatch> joined(CompletableFuture<List<ChunkMatch>> side) {
        try {
            return side.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
