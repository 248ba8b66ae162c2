package io.dynrag.pipeline.ingestion;

import java.util.Map;

/** What indexing one document version ended in. */
public sealed interface IngestionOutcome {

    /**
     * @param tokens        word pieces of the embedding model over all chunks
     * @param meteredTokens the chunks' tokens in an OpenAI encoding (cl100k_base)
     * @param costMicroUsd  embedded tokens times the model's price, in millionths of a dollar
     */
    record Indexed(int chunks, long tokens, long embeddedTokens, int reusedChunks, long lanceVersion, String model,
                   Map<String, Long> stageMillis, long characters, int pages, long meteredTokens,
                   long costMicroUsd) implements IngestionOutcome {
    }

    /** A deleted document's rows and bytes are gone; {@code lanceVersion} is 0 if it had no rows. */
    record Removed(long lanceVersion) implements IngestionOutcome {
    }

    /** @param retryable true when the same input may succeed later (a dependency was down) */
    record Failed(String reason, boolean retryable) implements IngestionOutcome {
    }
}
