package io.dynrag.domain.document;

import io.dynrag.domain.DomainRuleViolation;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;

import java.util.HashMap;
import java.util.Map;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/**
 * A customer's document and the pipeline state of each of its versions.
 *
 * <p>Pipeline outcomes arrive at least once (Kafka redelivers after a crash), so every
 * ingestion command is idempotent: a result for a version that already reached a final
 * state, or for a deleted document, changes nothing.
 */
class Document {

    @AggregateIdentifier
    private String documentId;
    private String customerId;
    private final Map<Integer, DocumentStatus> statusByVersion = new HashMap<>();
    private int latestVersion;
    private String latestSha256;
    private String title;
    private Map<String, Object> metadata = Map.of();
    private boolean deleted;
    private boolean removedFromIndex;

    Document() {
        // required by Axon to rebuild the aggregate from its events
    }

    @CommandHandler
    Document(UploadDocument command) {
        requireText(command.customerId(), "customerId");
        requireText(command.s3Key(), "s3Key");
        requireText(command.contentType(), "contentType");
        requireSha256(command.sha256());
        if (command.bytes() <= 0) {
            throw new DomainRuleViolation("a document must not be empty");
        }
        apply(new DocumentVersionUploaded(command.documentId(), command.customerId(), 1,
                command.title() == null ? "" : command.title(), command.contentType(),
                command.s3Key(), command.sha256(), command.bytes(),
                command.indexing() == null ? IndexingSettings.PIPELINE_DEFAULTS : command.indexing(),
                DocumentMetadata.checked(command.metadata())));
    }

    @CommandHandler
    VersionAccepted handle(UploadDocumentVersion command) {
        requireNotDeleted();
        if (!customerId.equals(command.customerId())) {
            throw new DomainRuleViolation("document " + documentId + " belongs to another customer");
        }
        requireText(command.s3Key(), "s3Key");
        requireText(command.contentType(), "contentType");
        requireSha256(command.sha256());
        if (command.bytes() <= 0) {
            throw new DomainRuleViolation("a document must not be empty");
        }
        Map<String, Object> nextMetadata = command.metadata() == null
                ? metadata : DocumentMetadata.checked(command.metadata());
        if (command.sha256().equals(latestSha256)) {
            return new VersionAccepted(latestVersion, false);
        }
        String nextTitle = command.title() == null || command.title().isBlank() ? title : command.title();
        apply(new DocumentVersionUploaded(documentId, customerId, latestVersion + 1, nextTitle,
                command.contentType(), command.s3Key(), command.sha256(), command.bytes(),
                command.indexing() == null ? IndexingSettings.PIPELINE_DEFAULTS : command.indexing(), nextMetadata));
        return new VersionAccepted(latestVersion, true);
    }

    /** A change that changes nothing records nothing, so repeating a request is harmless. */
    @CommandHandler
    void handle(ChangeDocumentMetadata command) {
        requireNotDeleted();
        if (!customerId.equals(command.customerId())) {
            throw new DomainRuleViolation("document " + documentId + " belongs to another customer");
        }
        String nextTitle = command.title() == null ? title : command.title().strip();
        if (nextTitle.isEmpty()) {
            throw new DomainRuleViolation("title must not be blank");
        }
        Map<String, Object> start = command.clearMetadata() ? Map.of() : metadata;
        Map<String, Object> nextMetadata = command.metadataPatch() == null
                ? DocumentMetadata.checked(start) : DocumentMetadata.merged(start, command.metadataPatch());
        if (!nextTitle.equals(title) || !nextMetadata.equals(metadata)) {
            apply(new DocumentMetadataChanged(documentId, customerId, nextTitle, nextMetadata));
        }
    }

    @CommandHandler
    void handle(DeleteDocument command) {
        if (!deleted) {
            apply(new DocumentDeleted(documentId, customerId, latestVersion));
        }
    }

    @CommandHandler
    void handle(RecordDocumentRemoval command) {
        if (deleted && !removedFromIndex) {
            apply(new DocumentRemovedFromIndex(documentId, customerId, command.lanceVersion()));
        }
    }

    @CommandHandler
    void handle(RecordIngestionStarted command) {
        if (!deleted && statusOf(command.version()) == DocumentStatus.PENDING) {
            apply(new DocumentIngestionStarted(documentId, customerId, command.version()));
        }
    }

    @CommandHandler
    void handle(RecordIngestionSucceeded command) {
        if (!deleted && !statusOf(command.version()).isFinal()) {
            apply(new DocumentVersionIndexed(documentId, customerId, command.version(), command.stats()));
        }
    }

    @CommandHandler
    void handle(RecordIngestionFailed command) {
        if (!deleted && !statusOf(command.version()).isFinal()) {
            String reason = command.reason() == null || command.reason().isBlank()
                    ? "unknown failure" : command.reason();
            apply(new DocumentVersionFailed(documentId, customerId, command.version(), reason, command.retryable()));
        }
    }

    private DocumentStatus statusOf(int version) {
        DocumentStatus status = statusByVersion.get(version);
        if (status == null) {
            throw new DomainRuleViolation("document " + documentId + " has no version " + version);
        }
        return status;
    }

    private void requireNotDeleted() {
        if (deleted) {
            throw new DocumentDeletedException(documentId);
        }
    }

    private static void requireSha256(String sha256) {
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new DomainRuleViolation("sha256 must be 64 lower-case hex digits");
        }
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new DomainRuleViolation(name + " must not be blank");
        }
    }

    @EventSourcingHandler
    void on(DocumentVersionUploaded event) {
        this.documentId = event.documentId();
        this.customerId = event.customerId();
        this.latestVersion = event.version();
        this.latestSha256 = event.sha256();
        this.title = event.title();
        this.metadata = event.metadata();
        statusByVersion.put(event.version(), DocumentStatus.PENDING);
    }

    @EventSourcingHandler
    void on(DocumentMetadataChanged event) {
        this.title = event.title();
        this.metadata = event.metadata();
    }

    @EventSourcingHandler
    void on(DocumentDeleted event) {
        this.deleted = true;
    }

    @EventSourcingHandler
    void on(DocumentRemovedFromIndex event) {
        this.removedFromIndex = true;
    }

    @EventSourcingHandler
    void on(DocumentIngestionStarted event) {
        statusByVersion.put(event.version(), DocumentStatus.PROCESSING);
    }

    @EventSourcingHandler
    void on(DocumentVersionIndexed event) {
        statusByVersion.put(event.version(), DocumentStatus.INDEXED);
    }

    @EventSourcingHandler
    void on(DocumentVersionFailed event) {
        statusByVersion.put(event.version(), DocumentStatus.FAILED);
    }
}
