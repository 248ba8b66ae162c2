package io.dynrag.domain.document;

import java.util.Map;

/**
 * What indexing one document version produced and cost.
 *
 * @param tokens         word pieces of the embedding model over all chunks
 * @param embeddedTokens word pieces actually sent to the model (the rest reused stored vectors)
 * @param lanceVersion   the tenant dataset version that holds exactly this document version
 * @param stageMillis    wall-clock time per pipeline stage (fetch, extract, chunk, embed, write)
 * @param characters     characters of extracted text
 * @param pages          pages of the source; 0 for formats without pages
 * @param meteredTokens  tokens of all chunks in an OpenAI encoding (cl100k_base)
 * @param costMicroUsd   embedding cost in millionths of a US dollar, from the model's price
 */
public record IndexingStats(
        int chunks,
        long tokens,
        long embeddedTokens,
        int reusedChunks,
        long lanceVersion,
        String model,
        Map<String, Long> stageMillis,
        long characters,
        int pages,
        long meteredTokens,
        long costMicroUsd) {

    public IndexingStats {
        stageMillis = stageMillis == null ? Map.of() : Map.copyOf(stageMillis);
    }
}
