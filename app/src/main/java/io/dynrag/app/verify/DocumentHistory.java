package io.dynrag.app.verify;

import io.dynrag.domain.document.DocumentDeleted;
import io.dynrag.domain.document.DocumentIngestionStarted;
import io.dynrag.domain.document.DocumentRemovedFromIndex;
import io.dynrag.domain.document.DocumentStatus;
import io.dynrag.domain.document.DocumentVersionFailed;
import io.dynrag.domain.document.DocumentVersionIndexed;
import io.dynrag.domain.document.DocumentVersionUploaded;
import io.dynrag.domain.document.IndexingStats;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A document as its events describe it: every uploaded version with its pipeline outcome, and
 * whether it was deleted and removed from the index. This is what the stored state must match.
 *
 * @param versions           oldest first
 * @param removedFromIndexAt the dataset version recorded as the first without the document's rows
 *                           ({@code 0} when it had none anywhere); empty until the removal is recorded
 * @param events             how many events the document had when it was read
 */
public record DocumentHistory(String documentId, String customerId, List<UploadedVersion> versions, boolean deleted,
                              OptionalLong removedFromIndexAt, int events) {

    /** One uploaded version and what the pipeline made of it. */
    public record UploadedVersion(int version, String s3Key, String sha256, long bytes, DocumentStatus status,
                                  Optional<IndexingStats> indexed, Optional<String> failureReason) {

        UploadedVersion withStatus(DocumentStatus next, Optional<IndexingStats> stats, Optional<String> reason) {
            return new UploadedVersion(version, s3Key, sha256, bytes, next, stats, reason);
        }

        boolean inFlight() {
            return !status.isFinal();
        }
    }

    public DocumentHistory {
        versions = List.copyOf(versions);
        if (versions.isEmpty()) {
            throw new IllegalArgumentException("document " + documentId + " has no uploaded version");
        }
    }

    /**
     * Folds the document's events, oldest first, the way the {@code Document} aggregate does.
     *
     * @return empty when the events hold no upload, i.e. there is no such document
     */
    public static Optional<DocumentHistory> replay(String documentId, List<?> events) {
        SortedMap<Integer, UploadedVersion> versions = new TreeMap<>();
        String customerId = null;
        boolean deleted = false;
        OptionalLong removedAt = OptionalLong.empty();
        for (Object event : events) {
            switch (event) {
                case DocumentVersionUploaded e -> {
                    customerId = e.customerId();
                    versions.put(e.version(), new UploadedVersion(e.version(), e.s3Key(), e.sha256(), e.bytes(),
                            DocumentStatus.PENDING, Optional.empty(), Optional.empty()));
                }
                case DocumentIngestionStarted e -> versions.computeIfPresent(e.version(), (v, version) ->
                        version.withStatus(DocumentStatus.PROCESSING, Optional.empty(), Optional.empty()));
                case DocumentVersionIndexed e -> versions.computeIfPresent(e.version(), (v, version) ->
                        version.withStatus(DocumentStatus.INDEXED, Optional.of(e.stats()), Optional.empty()));
                case DocumentVersionFailed e -> versions.computeIfPresent(e.version(), (v, version) ->
                        version.withStatus(DocumentStatus.FAILED, Optional.empty(), Optional.of(e.reason())));
                case DocumentDeleted e -> deleted = true;
                case DocumentRemovedFromIndex e -> removedAt = OptionalLong.of(e.lanceVersion());
                default -> {
                }
            }
        }
        if (versions.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new DocumentHistory(documentId, customerId, List.copyOf(versions.values()), deleted,
                removedAt, events.size()));
    }

    public UploadedVersion latest() {
        return versions.getLast();
    }

    /** The newest indexed version: its rows are the document's rows in the latest dataset version. */
    public Optional<UploadedVersion> latestIndexed() {
        return versions.reversed().stream().filter(v -> v.status() == DocumentStatus.INDEXED).findFirst();
    }

    /** Versions after the latest indexed one that the pipeline has not finished: their rows may appear any moment. */
    public List<UploadedVersion> inFlight() {
        int after = latestIndexed().map(UploadedVersion::version).orElse(0);
        return versions.stream().filter(v -> v.version() > after && v.inFlight()).toList();
    }

    /** Models of every indexed version, in version order without repeats. */
    public List<String> indexedModels() {
        return versions.stream().flatMap(v -> v.indexed().stream()).map(IndexingStats::model).distinct().toList();
    }
}
