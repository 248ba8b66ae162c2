package io.dynrag.domain.document;

import java.util.Map;

/**
 * What indexing one document version produced and cost.
 *
 * @param tokens         word pieces of the embedding model over all chunks
 * @param embeddedTokens word pieces actually sent to the model (the rest reused stored vectors)
 * @param lanceVersion   the tenant dataset version that holds exactly this document version
 * @param stageMillis    wall-clock time per pipeline stage (fetch, chunk, embed, write, ...)
 */
public record IndexingStats(
        int chunks,
        long tokens,
        long embeddedTokens,
        int reusedChunks,
        long lanceVersion,
        String model,
        Map<String, Long> stageMillis) {

    public IndexingStats {
        stageMillis = stageMillis == null ? Map.of() : Map.copyOf(stageMillis);
    }
}
