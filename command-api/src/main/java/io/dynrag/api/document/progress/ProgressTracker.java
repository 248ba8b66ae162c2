package io.dynrag.api.document.progress;

import io.dynrag.schemas.ingestion.IngestionProgress;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest progress report of every document being processed, as {@link DocumentUpdatesFeed} reads
 * them from the progress topic. Reports are ephemeral; an instance that starts late simply knows
 * nothing until the next report.
 */
public final class ProgressTracker {

    /** A document silent for this long has finished or stalled; its last report no longer helps. */
    private static final Duration FORGET_AFTER = Duration.ofMinutes(10);

    private final Map<String, Progress> byDocument = new ConcurrentHashMap<>();
    private final Clock clock;

    /** @param stage fetch, extract, chunk, embed or write */
    public record Progress(int version, String stage, int chunksEmbedded, int chunksTotal, Instant reportedAt) {
    }

    public ProgressTracker(Clock clock) {
        this.clock = clock;
    }

    public Optional<Progress> of(String documentId, int version) {
        return Optional.ofNullable(byDocument.get(documentId)).filter(progress -> progress.version() == version);
    }

    Progress record(IngestionProgress report) {
        Progress progress = new Progress(report.getVersion(), report.getStage(), report.getChunksEmbedded(),
                report.getChunksTotal(), report.getReportedAt());
        byDocument.put(report.getDocumentId(), progress);
        return progress;
    }

    void forgetSilentDocuments() {
        Instant horizon = clock.instant().minus(FORGET_AFTER);
        byDocument.values().removeIf(progress -> progress.reportedAt().isBefore(horizon));
    }
}
