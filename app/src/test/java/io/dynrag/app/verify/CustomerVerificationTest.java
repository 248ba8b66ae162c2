package io.dynrag.app.verify;

import io.dynrag.domain.customer.CustomerDeleted;
import io.dynrag.domain.customer.CustomerRegistered;
import io.dynrag.domain.document.DocumentDeleted;
import io.dynrag.domain.document.DocumentIngestionStarted;
import io.dynrag.domain.document.DocumentRemovedFromIndex;
import io.dynrag.domain.document.DocumentVersionFailed;
import io.dynrag.domain.document.DocumentVersionIndexed;
import io.dynrag.domain.document.DocumentVersionUploaded;
import io.dynrag.domain.document.IndexingSettings;
import io.dynrag.domain.document.IndexingStats;
import io.dynrag.pipeline.chunking.StructuralChunker;
import io.dynrag.pipeline.ingestion.DocumentRemoval;
import io.dynrag.vectorstore.dataset.ChunkRow;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CustomerVerificationTest {

    private static final String CUSTOMER = "c1";
    private static final String MODEL = "all-minilm-l6-v2";
    private static final String OTHER_MODEL = "text-embedding-3-small";

    private final InMemoryStore store = new InMemoryStore();
    private final CustomerVerification verification = new CustomerVerification(store, store::pinned, store);

    CustomerVerificationTest() {
        store.append(CUSTOMER, new CustomerRegistered(CUSTOMER, null, null, null));
    }

    @Test
    void storedStateThatMatchesTheEventsHasNoDiscrepancies() {
        upload("d1", 1, "first text");
        index("d1", 1, MODEL, 3);
        upload("d1", 2, "second text");
        index("d1", 2, MODEL, 2);
        upload("d2", 1, "other text");
        index("d2", 1, MODEL, 4);
        upload("d3", 1, "gone");
        index("d3", 1, MODEL, 1);
        deleteAndRemove("d3");

        VerificationReport report = verification.verify(CUSTOMER);

        assertThat(report.findings()).isEmpty();
        assertThat(report.documents()).isEqualTo(3);
        assertThat(report.versions()).isEqualTo(4);
        assertThat(report.objects()).isEqualTo(4);
        // d1 at v1's and v2's versions, d2's, d3's and its removal's, the latest (the removal)
        assertThat(report.datasetVersions()).isEqualTo(5);
    }

    @Test
    void missingRowsInTheLatestVersionAreADiscrepancyOfThatDocumentVersion() {
        upload("d1", 1, "text");
        index("d1", 1, MODEL, 3);
        upload("d2", 1, "text two");
        index("d2", 1, MODEL, 2);
        store.replaceDocument(MODEL, "d1", rows("d1", 1, MODEL, 2));

        assertThat(discrepancyLines()).containsExactly(
                "DISCREPANCY document d1 v1: the latest version (3) of dataset " + MODEL
                        + " holds 2 rows, expected 3 (the chunks recorded when it was indexed)",
                "DISCREPANCY document d1 v1: the latest version (3) of dataset " + MODEL
                        + " lacks chunk indexes 2 of 0..2");
    }

    @Test
    void aChangedTextWhoseHashWasKeptIsADiscrepancy() {
        upload("d1", 1, "text");
        index("d1", 1, MODEL, 2);
        List<ChunkRow> tampered = new ArrayList<>(rows("d1", 1, MODEL, 2));
        ChunkRow second = tampered.get(1);
        tampered.set(1, new ChunkRow("d1", 1, 1, "rewritten", second.tokenCount(), second.contentHash(),
                second.charStart(), second.charEnd(), null, MODEL, second.vector()));
        store.replaceDocument(MODEL, "d1", tampered);

        assertThat(discrepancyLines())
                .singleElement().asString()
                .startsWith("DISCREPANCY document d1 v1: the latest version (2)")
                .contains("chunk 1 has content_hash");
    }

    @Test
    void aRecordedVersionThatNoLongerExistsOrHoldsOtherRowsIsADiscrepancy() {
        // A version before the lost one stays: the lost one is not history cleaned up past the retention.
        upload("d0", 1, "kept");
        index("d0", 1, MODEL, 1);
        upload("d1", 1, "text");
        index("d1", 1, MODEL, 2);
        upload("d1", 2, "new text");
        index("d1", 2, MODEL, 2);
        store.datasets.get(MODEL).remove(2L);
        List<ChunkRow> older = new ArrayList<>(rows("d0", 1, MODEL, 1));
        older.addAll(rows("d1", 1, MODEL, 2));
        store.datasets.get(MODEL).put(3L, older);
        store.replaceDocument(MODEL, "d1", rows("d1", 2, MODEL, 2));

        assertThat(discrepancyLines()).containsExactly(
                "DISCREPANCY document d1 v1: version 2 of dataset " + MODEL
                        + " (recorded when it was indexed) no longer exists",
                "DISCREPANCY document d1 v2: version 3 of dataset " + MODEL
                        + " (recorded when it was indexed) holds rows of v1 (2 rows), expected only rows of v2");
    }

    @Test
    void versionsCleanedUpPastTheTimeTravelRetentionAreNoDiscrepancy() {
        upload("d1", 1, "text");
        index("d1", 1, MODEL, 2);
        upload("d2", 1, "gone");
        index("d2", 1, MODEL, 1);
        deleteAndRemove("d2");
        upload("d1", 2, "new text");
        index("d1", 2, MODEL, 2);
        store.datasets.get(MODEL).headMap(4L).clear();

        assertThat(verification.verify(CUSTOMER).findings()).isEmpty();
    }

    @Test
    void rowsOfADeletedDocumentOrOfADocumentTheEventsDoNotKnowAreDiscrepancies() {
        upload("d1", 1, "text");
        index("d1", 1, MODEL, 2);
        deleteAndRemove("d1");
        store.replaceDocument(MODEL, "d1", rows("d1", 1, MODEL, 2));
        store.replaceDocument(MODEL, "stray", rows("stray", 1, MODEL, 3));

        assertThat(discrepancyLines()).containsExactly(
                "DISCREPANCY document d1: deleted and removed from the index at version 2, but the latest version (4)"
                        + " of dataset " + MODEL + " holds 2 rows of it, expected none",
                "DISCREPANCY document stray: the latest version (4) of dataset " + MODEL
                        + " holds 3 rows of a document the customer's events do not know, expected none");
    }

    @Test
    void rowsOfAnOlderVersionLeftInAnotherModelsDatasetAreADiscrepancy() {
        upload("d1", 1, "text");
        index("d1", 1, OTHER_MODEL, 2);
        upload("d1", 2, "text again");
        index("d1", 2, MODEL, 3);

        assertThat(discrepancyLines()).containsExactly(
                "DISCREPANCY document d1: the latest version (1) of dataset " + OTHER_MODEL
                        + " holds 2 rows of v1, expected none: v2 is indexed in dataset " + MODEL);
    }

    @Test
    void objectsMustHoldTheRecordedBytesAndGoWithTheirDocument() {
        upload("d1", 1, "text");
        index("d1", 1, MODEL, 1);
        upload("d2", 1, "more text");
        index("d2", 1, MODEL, 1);
        upload("d3", 1, "removed text");
        index("d3", 1, MODEL, 1);
        deleteAndRemove("d3");
        store.objects.remove(key("d1", "text"));
        store.objects.put(key("d2", "more text"), InMemoryStore.utf8("more text, overwritten"));
        store.objects.put(key("d3", "removed text"), InMemoryStore.utf8("removed text"));

        assertThat(discrepancyLines()).containsExactly(
                "DISCREPANCY document d1 v1: object " + key("d1", "text") + " is missing, expected 4 bytes with sha256 "
                        + sha("text"),
                "DISCREPANCY document d2 v1: object " + key("d2", "more text") + " holds 22 bytes, expected 9",
                "DISCREPANCY document d2 v1: object " + key("d2", "more text") + " has sha256 "
                        + sha("more text, overwritten") + ", expected " + sha("more text"),
                "DISCREPANCY document d3: deleted and removed, but 1 stored objects remain: "
                        + key("d3", "removed text") + ", expected none");
    }

    @Test
    void versionsStillInThePipelineAndFailedOnesAreNotesEvenWithTheirRowsAlreadyWritten() {
        upload("d1", 1, "text");
        index("d1", 1, MODEL, 2);
        upload("d1", 2, "text two");
        store.append("d1", new DocumentIngestionStarted("d1", CUSTOMER, 2));
        store.replaceDocument(MODEL, "d1", rows("d1", 2, MODEL, 3));
        upload("d2", 1, "scan");
        store.append("d2", new DocumentVersionFailed("d2", CUSTOMER, 1, "the document contains no text", false));
        upload("d3", 1, "bye");
        store.append("d3", new DocumentDeleted("d3", CUSTOMER, 1));

        VerificationReport report = verification.verify(CUSTOMER);

        assertThat(report.discrepancies()).isEmpty();
        assertThat(report.notes()).extracting(Finding::line).containsExactly(
                "NOTE document d1 v2: the latest version (2) of dataset " + MODEL
                        + " holds 3 rows of v2, which is being indexed; its result is not recorded yet",
                "NOTE document d1 v2: PROCESSING in the pipeline; v1 stays the indexed version",
                "NOTE document d2 v1: FAILED (the document contains no text); no version is indexed",
                "NOTE document d3: deleted; its removal from the index is not recorded yet, so its rows and objects "
                        + "may remain");
    }

    @Test
    void rowsOfAFailedVersionContradictItsFailure() {
        upload("d1", 1, "text");
        store.append("d1", new DocumentVersionFailed("d1", CUSTOMER, 1, "embedding failed", true));
        store.replaceDocument(MODEL, "d1", rows("d1", 1, MODEL, 1));

        assertThat(discrepancyLines()).containsExactly(
                "DISCREPANCY document d1: the latest version (1) of dataset " + MODEL
                        + " holds 1 rows of v1, expected none: no version is indexed");
    }

    @Test
    void aDocumentThatGainsEventsWhileItIsCheckedIsANoteToVerifyAgain() {
        upload("d1", 1, "text");
        index("d1", 1, MODEL, 2);
        store.replaceDocument(MODEL, "d1", List.of());
        EventHistory deletedMeanwhile = new EventHistory() {
            private int reads;

            @Override
            public List<Object> eventsOf(String aggregateId) {
                if (aggregateId.equals("d1") && ++reads > 1) {
                    store.append("d1", new DocumentDeleted("d1", CUSTOMER, 1));
                }
                return store.eventsOf(aggregateId);
            }

            @Override
            public List<String> documentIdsOf(String customerId) {
                return store.documentIdsOf(customerId);
            }
        };

        VerificationReport report = new CustomerVerification(deletedMeanwhile, store::pinned, store).verify(CUSTOMER);

        assertThat(report.discrepancies()).isEmpty();
        assertThat(report.notes()).extracting(Finding::line)
                .containsExactly("NOTE document d1: changed while it was verified (1 new events); "
                        + "verify again to check it");
    }

    @Test
    void aDeletedCustomersDatasetsAndObjectsMustBeGone() {
        upload("d1", 1, "text");
        index("d1", 1, MODEL, 1);
        store.append(CUSTOMER, new CustomerDeleted(CUSTOMER));

        VerificationReport report = verification.verify(CUSTOMER);

        assertThat(report.discrepancies()).extracting(Finding::line).containsExactly(
                "DISCREPANCY customer c1: deleted, but dataset " + MODEL + " remains, expected none",
                "DISCREPANCY customer c1: deleted, but 1 stored objects remain under tenants/c1/, expected none");
    }

    @Test
    void aCustomerTheEventsDoNotKnowIsRefused() {
        assertThatThrownBy(() -> verification.verify("nobody"))
                .isInstanceOf(CustomerVerification.UnknownCustomerException.class)
                .hasMessageContaining("'nobody'");
    }

    private List<String> discrepancyLines() {
        return verification.verify(CUSTOMER).discrepancies().stream().map(Finding::line).toList();
    }

    private void upload(String documentId, int version, String content) {
        if (version == 1) {
            store.documentsOfCustomer.computeIfAbsent(CUSTOMER, c -> new ArrayList<>()).add(documentId);
        }
        byte[] bytes = InMemoryStore.utf8(content);
        store.objects.put(key(documentId, content), bytes);
        store.append(documentId, new DocumentVersionUploaded(documentId, CUSTOMER, version, "title", "text/plain",
                key(documentId, content), InMemoryStore.sha256(bytes), bytes.length,
                IndexingSettings.PIPELINE_DEFAULTS));
    }

    private void index(String documentId, int version, String model, int chunks) {
        long lanceVersion = store.replaceDocument(model, documentId, rows(documentId, version, model, chunks));
        store.append(documentId, new DocumentVersionIndexed(documentId, CUSTOMER, version,
                new IndexingStats(chunks, 10, 10, 0, lanceVersion, model, Map.of(), 100, 0, 10, 0)));
    }

    private void deleteAndRemove(String documentId) {
        long lanceVersion = store.replaceDocument(MODEL, documentId, List.of());
        store.objects.keySet().removeIf(key -> key.startsWith(DocumentRemoval.objectPrefix(CUSTOMER, documentId)));
        store.append(documentId, new DocumentDeleted(documentId, CUSTOMER, 1),
                new DocumentRemovedFromIndex(documentId, CUSTOMER, lanceVersion));
    }

    private static List<ChunkRow> rows(String documentId, int version, String model, int chunks) {
        List<ChunkRow> rows = new ArrayList<>();
        for (int i = 0; i < chunks; i++) {
            String text = documentId + " v" + version + " chunk " + i;
            rows.add(new ChunkRow(documentId, version, i, text, 5, StructuralChunker.sha256Hex(text), i * 30,
                    i * 30 + text.length(), null, model, new float[]{1, 0}));
        }
        return rows;
    }

    private static String key(String documentId, String content) {
        return "tenants/" + CUSTOMER + "/documents/" + documentId + "/" + sha(content);
    }

    private static String sha(String content) {
        return InMemoryStore.sha256(InMemoryStore.utf8(content));
    }
}
