package io.dynrag.pipeline.ingestion;

import java.util.Map;

/** What indexing one document version ended in. */
public sealed interface IngestionOutcome {

    record Indexed(int chunks, long tokens, long embeddedTokens, int reusedChunks, long lanceVersion, String model,
                   Map<String, Long> stageMillis) implements IngestionOutcome {
    }

    /** @param retryable true when the same input may succeed later (a dependency was down) */
    record Failed(String reason, boolean retryable) implements IngestionOutcome {
    }
}
