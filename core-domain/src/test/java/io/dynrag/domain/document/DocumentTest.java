package io.dynrag.domain.document;

import io.dynrag.domain.DomainRuleViolation;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

class DocumentTest {

    private static final String SHA = "a".repeat(64);
    private static final IndexingSettings INDEXING = new IndexingSettings(128, 16, "all-minilm-l6-v2", 30);
    private static final DocumentVersionUploaded UPLOADED = new DocumentVersionUploaded(
            "d-1", "c-1", 1, "Notes", "text/plain", "tenants/c-1/documents/d-1/" + SHA, SHA, 42, INDEXING);
    private static final IndexingStats STATS = new IndexingStats(
            3, 120, 120, 0, 7, "all-minilm-l6-v2", Map.of("embed", 15L), 600, 0, 110, 0);

    private AggregateTestFixture<Document> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Document.class);
    }

    @Test
    void uploadCreatesVersionOne() {
        fixture.givenNoPriorActivity()
                .when(new UploadDocument("d-1", "c-1", "Notes", "text/plain", UPLOADED.s3Key(), SHA, 42, INDEXING))
                .expectSuccessfulHandlerExecution()
                .expectEvents(UPLOADED);
    }

    @Test
    void uploadWithoutContentIsRefused() {
        fixture.givenNoPriorActivity()
                .when(new UploadDocument("d-1", "c-1", "Notes", "text/plain", UPLOADED.s3Key(), SHA, 0, INDEXING))
                .expectException(DomainRuleViolation.class)
                .expectNoEvents();
    }

    @Test
    void uploadWithMalformedHashIsRefused() {
        fixture.givenNoPriorActivity()
                .when(new UploadDocument("d-1", "c-1", "Notes", "text/plain", UPLOADED.s3Key(), "abc", 42, INDEXING))
                .expectException(DomainRuleViolation.class)
                .expectNoEvents();
    }

    @Test
    void startedMovesPendingVersionToProcessing() {
        fixture.given(UPLOADED)
                .when(new RecordIngestionStarted("d-1", 1))
                .expectEvents(new DocumentIngestionStarted("d-1", "c-1", 1));
    }

    @Test
    void startedAfterTheOutcomeIsIgnored() {
        fixture.given(UPLOADED, new DocumentVersionIndexed("d-1", "c-1", 1, STATS))
                .when(new RecordIngestionStarted("d-1", 1))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void successIndexesTheVersion() {
        fixture.given(UPLOADED, new DocumentIngestionStarted("d-1", "c-1", 1))
                .when(new RecordIngestionSucceeded("d-1", 1, STATS))
                .expectEvents(new DocumentVersionIndexed("d-1", "c-1", 1, STATS));
    }

    @Test
    void redeliveredSuccessChangesNothing() {
        fixture.given(UPLOADED, new DocumentVersionIndexed("d-1", "c-1", 1, STATS))
                .when(new RecordIngestionSucceeded("d-1", 1, STATS))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void failureRecordsReasonAndIsFinal() {
        fixture.given(UPLOADED)
                .when(new RecordIngestionFailed("d-1", 1, "no text could be extracted", false))
                .expectEvents(new DocumentVersionFailed("d-1", "c-1", 1, "no text could be extracted", false));
        fixture.given(UPLOADED, new DocumentVersionFailed("d-1", "c-1", 1, "boom", false))
                .when(new RecordIngestionSucceeded("d-1", 1, STATS))
                .expectNoEvents();
    }

    @Test
    void failureWithoutReasonGetsOne() {
        fixture.given(UPLOADED)
                .when(new RecordIngestionFailed("d-1", 1, " ", true))
                .expectEvents(new DocumentVersionFailed("d-1", "c-1", 1, "unknown failure", true));
    }

    @Test
    void resultForUnknownVersionIsRefused() {
        fixture.given(UPLOADED)
                .when(new RecordIngestionSucceeded("d-1", 2, STATS))
                .expectException(DomainRuleViolation.class)
                .expectNoEvents();
    }

    private static final String SHA2 = "b".repeat(64);

    @Test
    void aNewVersionGetsTheNextNumberAndKeepsTheTitleWhenNoneIsGiven() {
        fixture.given(UPLOADED)
                .when(new UploadDocumentVersion("d-1", "c-1", null, "text/markdown", "k2", SHA2, 50, INDEXING))
                .expectResultMessagePayload(new VersionAccepted(2, true))
                .expectEvents(new DocumentVersionUploaded("d-1", "c-1", 2, "Notes", "text/markdown", "k2", SHA2, 50,
                        INDEXING));
    }

    @Test
    void identicalBytesAreANoOpThatNamesTheLatestVersion() {
        fixture.given(UPLOADED)
                .when(new UploadDocumentVersion("d-1", "c-1", "New title", "text/plain", "k1", SHA, 42, INDEXING))
                .expectResultMessagePayload(new VersionAccepted(1, false))
                .expectNoEvents();
    }

    @Test
    void anotherCustomerCannotAddAVersion() {
        fixture.given(UPLOADED)
                .when(new UploadDocumentVersion("d-1", "c-2", null, "text/plain", "k2", SHA2, 50, INDEXING))
                .expectException(DomainRuleViolation.class)
                .expectNoEvents();
    }

    @Test
    void deletingIsRecordedOnceAndEndsTheDocument() {
        fixture.given(UPLOADED)
                .when(new DeleteDocument("d-1"))
                .expectEvents(new DocumentDeleted("d-1", "c-1", 1));
        fixture.given(UPLOADED, new DocumentDeleted("d-1", "c-1", 1))
                .when(new DeleteDocument("d-1"))
                .expectNoEvents();
        fixture.given(UPLOADED, new DocumentDeleted("d-1", "c-1", 1))
                .when(new UploadDocumentVersion("d-1", "c-1", null, "text/plain", "k2", SHA2, 50, INDEXING))
                .expectException(DocumentDeletedException.class)
                .expectNoEvents();
    }

    @Test
    void outcomesArrivingAfterDeletionAreHistoryNotChanges() {
        fixture.given(UPLOADED, new DocumentDeleted("d-1", "c-1", 1))
                .when(new RecordIngestionSucceeded("d-1", 1, STATS))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void theRemovalFromTheIndexIsRecordedOnceAfterDeletion() {
        fixture.given(UPLOADED, new DocumentDeleted("d-1", "c-1", 1))
                .when(new RecordDocumentRemoval("d-1", 12))
                .expectEvents(new DocumentRemovedFromIndex("d-1", "c-1", 12));
        fixture.given(UPLOADED, new DocumentDeleted("d-1", "c-1", 1), new DocumentRemovedFromIndex("d-1", "c-1", 12))
                .when(new RecordDocumentRemoval("d-1", 13))
                .expectNoEvents();
        fixture.given(UPLOADED)
                .when(new RecordDocumentRemoval("d-1", 12))
                .expectNoEvents();
    }

    @Test
    void uploadCarriesItsMetadataAndANewVersionKeepsIt() {
        Map<String, Object> metadata = Map.of("team", "search", "year", 2024L);
        DocumentVersionUploaded withMetadata = new DocumentVersionUploaded("d-1", "c-1", 1, "Notes", "text/plain",
                UPLOADED.s3Key(), SHA, 42, INDEXING, metadata);
        fixture.givenNoPriorActivity()
                .when(new UploadDocument("d-1", "c-1", "Notes", "text/plain", UPLOADED.s3Key(), SHA, 42, INDEXING,
                        Map.of("team", "search", "year", 2024)))
                .expectEvents(withMetadata);
        String sha2 = "b".repeat(64);
        fixture.given(withMetadata)
                .when(new UploadDocumentVersion("d-1", "c-1", null, "text/plain", "k2", sha2, 43, INDEXING))
                .expectEvents(new DocumentVersionUploaded("d-1", "c-1", 2, "Notes", "text/plain", "k2", sha2, 43,
                        INDEXING, metadata));
    }

    @Test
    void uploadWithBadMetadataIsRefused() {
        fixture.givenNoPriorActivity()
                .when(new UploadDocument("d-1", "c-1", "Notes", "text/plain", UPLOADED.s3Key(), SHA, 42, INDEXING,
                        Map.of("bad key", "x")))
                .expectException(DomainRuleViolation.class)
                .expectNoEvents();
    }

    @Test
    void changeRecordsTheWholeNewTitleAndMetadata() {
        java.util.Map<String, Object> patch = new java.util.HashMap<>();
        patch.put("year", 2025);
        patch.put("team", null);
        fixture.given(new DocumentVersionUploaded("d-1", "c-1", 1, "Notes", "text/plain", UPLOADED.s3Key(), SHA, 42,
                        INDEXING, Map.of("team", "search", "year", 2024L)))
                .when(new ChangeDocumentMetadata("d-1", "c-1", "Handbook", patch, false))
                .expectEvents(new DocumentMetadataChanged("d-1", "c-1", "Handbook", Map.of("year", 2025L)));
    }

    @Test
    void changeThatChangesNothingRecordsNothing() {
        fixture.given(UPLOADED, new DocumentMetadataChanged("d-1", "c-1", "Handbook", Map.of("a", "b")))
                .when(new ChangeDocumentMetadata("d-1", "c-1", "Handbook", Map.of("a", "b"), false))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void clearingRemovesEveryKey() {
        fixture.given(new DocumentVersionUploaded("d-1", "c-1", 1, "Notes", "text/plain", UPLOADED.s3Key(), SHA, 42,
                        INDEXING, Map.of("team", "search")))
                .when(new ChangeDocumentMetadata("d-1", "c-1", null, null, true))
                .expectEvents(new DocumentMetadataChanged("d-1", "c-1", "Notes", Map.of()));
    }

    @Test
    void changeOfADeletedDocumentIsRefused() {
        fixture.given(UPLOADED, new DocumentDeleted("d-1", "c-1", 1))
                .when(new ChangeDocumentMetadata("d-1", "c-1", "Handbook", null, false))
                .expectException(DocumentDeletedException.class)
                .expectNoEvents();
    }

    @Test
    void changeThatBreaksAMetadataRuleIsRefused() {
        fixture.given(UPLOADED)
                .when(new ChangeDocumentMetadata("d-1", "c-1", null, Map.of("nested", Map.of("a", 1)), false))
                .expectException(DomainRuleViolation.class)
                .expectNoEvents();
    }
}
