package io.dynrag.pipeline.ingestion;

import io.dynrag.pipeline.IngestionSettings;
import io.dynrag.pipeline.testing.HashEmbeddingModel;
import io.dynrag.pipeline.testing.InMemoryChunkIndex;
import io.dynrag.pipeline.testing.InMemoryDocumentSource;
import io.dynrag.pipeline.testing.MisbehavingModel;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.document.DocumentIngestionStarted;
import io.dynrag.schemas.document.DocumentVersionUploaded;
import io.dynrag.schemas.ingestion.DocumentRemoved;
import io.dynrag.schemas.ingestion.IngestionFailed;
import io.dynrag.schemas.ingestion.IngestionResult;
import io.dynrag.schemas.ingestion.IngestionStarted;
import io.dynrag.schemas.ingestion.IngestionSucceeded;
import io.dynrag.vectorstore.dataset.ChunkRow;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

import static io.dynrag.pipeline.ingestion.IngestionDriver.CUSTOMER;
import static io.dynrag.pipeline.ingestion.IngestionDriver.outcomeOf;
import static io.dynrag.pipeline.ingestion.IngestionDriver.uploadedEvent;
import static io.dynrag.pipeline.testing.MisbehavingModel.BREAKS;
import static io.dynrag.pipeline.testing.MisbehavingModel.HANGS;
import static io.dynrag.pipeline.testing.MisbehavingModel.OVERFLOWS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The ingestion topology exactly as it runs, driven by Kafka's TopologyTestDriver over in-memory
 * stores (the document source and the chunk index) and a deterministic embedding model, so it
 * needs no server, model file or native code. (The test driver does not capture the records Kafka
 * Streams itself dead-letters; the end-to-end test covers those on the real broker. What only the
 * real object store, ONNX model and Lance datasets show is tested in the launcher's module.) The
 * model's tokenizer misbehaves on texts carrying a marker ({@link MisbehavingModel}): that is how a
 * hostile document makes chunking hang or crash.
 */
class IngestionTopologyTest {

    private static final String BUCKET = "documents";
    private static final Duration SHORT_DEADLINE = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final HashEmbeddingModel model = new HashEmbeddingModel();
    private final InMemoryDocumentSource objects = new InMemoryDocumentSource();
    private final InMemoryChunkIndex store = new InMemoryChunkIndex();
    private IngestionSettings settings;

    /** Lets the steps that hang go on, at the end of each test. */
    private CountDownLatch release;
    private final Queue<String> progress = new ConcurrentLinkedQueue<>();
    private IngestionDriver ingestion;
    private TestInputTopic<String, DocumentEvent> events;
    private TestOutputTopic<String, IngestionResult> results;

    @BeforeEach
    void startDriver() {
        settings = IngestionDriver.settings(dir.resolve("streams"), BUCKET, HashEmbeddingModel.ID);
        startDriver(settings);
    }

    private void startDriver(IngestionSettings settings) {
        release = new CountDownLatch(1);
        ingestion = new IngestionDriver(settings, objects, store, new MisbehavingModel(model, release),
                (job, stage, embedded, total) -> progress.add(job.documentId() + " " + stage));
        events = ingestion.events();
        results = ingestion.results();
    }

    @AfterEach
    void stopDriver() {
        release.countDown();
        ingestion.close();
    }

    @Test
    void anUploadIsAcknowledgedThenIndexedIntoTheTenantsDataset() {
        String documentId = UUID.randomUUID().toString();
        DocumentEvent uploaded = upload(documentId, "text/markdown", """
                # Beekeeping

                Honey bees forage for nectar and pollen within a few kilometres of the hive.

                ## Winter

                In winter the colony clusters around the queen and shivers to keep warm.
                """);

        events.pipeInput(CUSTOMER, uploaded);

        var records = results.readKeyValuesToList();
        assertThat(records).as("results are keyed by tenant, though the work is keyed by document")
                .extracting(record -> record.key).containsOnly(CUSTOMER);
        List<IngestionResult> out = records.stream().map(record -> record.value).toList();
        assertThat(out).hasSize(2);
        assertThat(out.get(0).getOutcome()).isInstanceOf(IngestionStarted.class);
        assertThat(out.get(1).getDocumentId()).isEqualTo(documentId);
        assertThat(out.get(1).getSourceEventId()).isEqualTo(uploaded.getEventId());
        IngestionSucceeded succeeded = (IngestionSucceeded) out.get(1).getOutcome();
        assertThat(succeeded.getChunks()).isPositive();
        assertThat(succeeded.getTokens()).isEqualTo(succeeded.getEmbeddedTokens());
        assertThat(succeeded.getModel()).isEqualTo(HashEmbeddingModel.ID);
        assertThat(succeeded.getLanceVersion()).isEqualTo(store.latestVersion(CUSTOMER, model.id()).orElseThrow());
        assertThat(succeeded.getStageMillis()).containsKeys("fetch", "extract", "chunk", "embed", "write");
        assertThat(succeeded.getCharacters()).isGreaterThan(100);
        assertThat(succeeded.getMeteredTokens()).isPositive();
        assertThat(succeeded.getCostMicroUsd()).as("0.5 USD per million tokens")
                .isEqualTo(Math.round(succeeded.getEmbeddedTokens() * 0.5));

        List<ChunkRow> rows = store.documentRows(CUSTOMER, model.id(), documentId);
        assertThat(rows).hasSize(succeeded.getChunks());
        assertThat(rows).anySatisfy(row -> assertThat(row.text()).contains("In winter the colony clusters"));
        assertThat(rows).as("each chunk stored with the model's vector of its text").allSatisfy(row ->
                assertThat(row.vector()).isEqualTo(model.embed(row.text())));
    }

    @Test
    void reprocessingTheSameUploadReusesVectorsAndKeepsTheSameRows() {
        String documentId = UUID.randomUUID().toString();
        DocumentEvent uploaded = upload(documentId, "text/plain", "Tides rise twice a day.\n\nThe moon pulls the sea.");

        events.pipeInput(CUSTOMER, uploaded);
        IngestionSucceeded first = (IngestionSucceeded) results.readValuesToList().get(1).getOutcome();
        var rowsAfterFirst = store.documentRows(CUSTOMER, model.id(), documentId);

        events.pipeInput(CUSTOMER, uploaded);
        IngestionSucceeded second = (IngestionSucceeded) results.readValuesToList().get(1).getOutcome();

        assertThat(second.getChunks()).isEqualTo(first.getChunks());
        assertThat(second.getEmbeddedTokens()).isZero();
        assertThat(second.getReusedChunks()).isEqualTo(first.getChunks());
        assertThat(store.documentRows(CUSTOMER, model.id(), documentId)).containsExactlyInAnyOrderElementsOf(rowsAfterFirst);
    }

    @Test
    void aMissingObjectFailsTheDocumentWithAReasonAndTheNextOneStillIndexes() {
        DocumentEvent missing = uploadedEvent(UUID.randomUUID().toString(), "tenants/customer-1/documents/x/none",
                "text/plain");
        String nextId = UUID.randomUUID().toString();

        events.pipeInput(CUSTOMER, missing);
        events.pipeInput(CUSTOMER, upload(nextId, "text/plain", "A second document that is fine."));

        List<IngestionResult> out = results.readValuesToList();
        IngestionFailed failed = out.stream().map(IngestionResult::getOutcome)
                .filter(IngestionFailed.class::isInstance).map(IngestionFailed.class::cast).findFirst().orElseThrow();
        assertThat(failed.getReason()).contains("missing");
        assertThat(failed.getRetryable()).isFalse();
        ingestion.assertDeadLettered(missing, "missing");
        assertThat(out).anySatisfy(result -> {
            assertThat(result.getDocumentId()).isEqualTo(nextId);
            assertThat(result.getOutcome()).isInstanceOf(IngestionSucceeded.class);
        });
    }

    @Test
    void aDocumentOverTheSizeLimitFailsWithAReasonAndIsDeadLettered() {
        String documentId = UUID.randomUUID().toString();
        String key = "tenants/" + CUSTOMER + "/documents/" + documentId + "/" + UUID.randomUUID();
        objects.put(key, new byte[(int) settings.maxDocumentBytes() + 1]);
        DocumentEvent tooLarge = uploadedEvent(documentId, key, "text/plain");

        events.pipeInput(CUSTOMER, tooLarge);

        assertThat(outcomeOf(results.readValuesToList(), documentId)).isInstanceOfSatisfying(IngestionFailed.class,
                failed -> {
                    assertThat(failed.getReason()).isEqualTo("the document has 1000001 bytes, more than the "
                            + "pipeline's limit of 1000000");
                    assertThat(failed.getRetryable()).isFalse();
                });
        ingestion.assertDeadLettered(tooLarge, "more than the pipeline's limit");
        assertThat(store.documentRows(CUSTOMER, model.id(), documentId)).isEmpty();
    }

    @Test
    void aDeletedDocumentLeavesTheDatasetInANewVersionAndItsBytesAreDeleted() {
        String documentId = UUID.randomUUID().toString();
        String otherId = UUID.randomUUID().toString();
        events.pipeInput(CUSTOMER, upload(documentId, "text/plain", "Deserts receive little rain."));
        events.pipeInput(CUSTOMER, upload(otherId, "text/plain", "Rainforests receive a lot of rain."));
        results.readValuesToList();
        long before = store.latestVersion(CUSTOMER, model.id()).orElseThrow();

        events.pipeInput(CUSTOMER, IngestionDriver.deletedEvent(documentId));

        List<IngestionResult> out = results.readValuesToList();
        assertThat(out).hasSize(1);
        DocumentRemoved removed = (DocumentRemoved) out.getFirst().getOutcome();
        assertThat(removed.getLanceVersion()).isGreaterThan(before);
        assertThat(store.documentRows(CUSTOMER, model.id(), documentId)).isEmpty();
        assertThat(store.documentRowsAsOf(CUSTOMER, model.id(), documentId, before)).as("history stays readable")
                .isNotEmpty();
        assertThat(store.documentRows(CUSTOMER, model.id(), otherId)).isNotEmpty();
        assertThat(objects.keysUnder("tenants/" + CUSTOMER + "/documents/" + documentId)).isEmpty();
    }

    @Test
    void eventsOtherThanUploadsAreIgnored() {
        events.pipeInput(CUSTOMER, DocumentEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now())
                .setCustomerId(CUSTOMER)
                .setDocumentId(UUID.randomUUID().toString())
                .setSequenceNumber(1)
                .setPayload(DocumentIngestionStarted.newBuilder().setVersion(1).build())
                .build());

        assertThat(results.isEmpty()).isTrue();
    }

    @Test
    void theChunkSizeAndOverlapChosenAtUploadAreHonoured() {
        String text = String.join("\n\n", Collections.nCopies(12,
                "Glaciers carve valleys as they move slowly downhill under their own weight."));
        String defaultId = UUID.randomUUID().toString();
        events.pipeInput(CUSTOMER, upload(defaultId, "text/plain", text));
        int defaultChunks = ((IngestionSucceeded) results.readValuesToList().get(1).getOutcome()).getChunks();

        String smallId = UUID.randomUUID().toString();
        DocumentEvent small = upload(smallId, "text/plain", text);
        DocumentVersionUploaded payload = (DocumentVersionUploaded) small.getPayload();
        payload.setChunkTokens(32);
        payload.setChunkOverlapTokens(8);
        events.pipeInput(CUSTOMER, small);
        int smallChunks = ((IngestionSucceeded) results.readValuesToList().get(1).getOutcome()).getChunks();

        assertThat(smallChunks).isGreaterThan(defaultChunks);
        var rows = store.documentRows(CUSTOMER, model.id(), smallId);
        assertThat(rows).allSatisfy(row -> assertThat(row.tokenCount()).isLessThanOrEqualTo(32 + 8));
        var second = rows.stream().filter(row -> row.chunkIndex() == 1).findFirst().orElseThrow();
        var first = rows.stream().filter(row -> row.chunkIndex() == 0).findFirst().orElseThrow();
        String overlap = second.text().substring(0, second.text().indexOf('\n'));
        assertThat(overlap).isNotBlank();
        assertThat(first.text().strip()).as("chunk 1 repeats the end of chunk 0").endsWith(overlap);
    }

    @Test
    void aModelThePipelineDoesNotRunFailsTheDocumentWithAReason() {
        DocumentEvent uploaded = upload(UUID.randomUUID().toString(), "text/plain", "Some text.");
        ((DocumentVersionUploaded) uploaded.getPayload()).setEmbeddingModel("text-embedding-3-large");

        events.pipeInput(CUSTOMER, uploaded);

        IngestionFailed failed = (IngestionFailed) results.readValuesToList().get(1).getOutcome();
        assertThat(failed.getReason()).contains("text-embedding-3-large").contains("OpenAI key");
        assertThat(failed.getRetryable()).isFalse();
    }

    @Test
    void deletingACustomerRemovesItsDatasetsAndStoredObjects() {
        String tenant = "customer-to-delete";
        String key = "tenants/" + tenant + "/documents/d/" + UUID.randomUUID();
        objects.put(key, "Doomed text.");
        DocumentEvent uploaded = uploadedEvent(UUID.randomUUID().toString(), key, "text/plain");
        uploaded.setCustomerId(tenant);
        events.pipeInput(tenant, uploaded);
        assertThat(store.latestVersion(tenant, model.id())).isPresent();
        objects.put("tenants/customer-1-kept/x", "kept");

        ingestion.customerEvents().pipeInput(tenant, IngestionDriver.customerDeletedEvent(tenant));

        assertThat(store.latestVersion(tenant, model.id())).isEmpty();
        assertThat(objects.keysUnder("tenants/" + tenant + "/")).isEmpty();
        assertThat(objects.keysUnder("tenants/customer-1-kept/")).hasSize(1);
    }

    @Test
    void aDocumentWhoseChunkingNeverEndsFailsAtTheDeadlineAndTheNextOneIsIndexed() {
        events.pipeInput(CUSTOMER, upload(UUID.randomUUID().toString(), "text/plain", "Warming the model up."));
        ingestion.close();
        startDriver(withLongestDocument(SHORT_DEADLINE));
        String hangingId = UUID.randomUUID().toString();
        DocumentEvent hanging = upload(hangingId, "text/plain", "A text whose chunking never ends " + HANGS);
        String nextId = UUID.randomUUID().toString();

        events.pipeInput(CUSTOMER, hanging);
        assertThat(ingestion.workers().abandonedWorkers()).as("the stream thread went on while the step still hangs")
                .isOne();
        events.pipeInput(CUSTOMER, upload(nextId, "text/plain", "A second document that is fine."));

        List<IngestionResult> out = results.readValuesToList();
        assertThat(outcomeOf(out, hangingId)).isInstanceOfSatisfying(IngestionFailed.class, failed -> {
            assertThat(failed.getReason())
                    .isEqualTo("indexing took longer than the limit of 5 seconds (in the chunk stage)");
            assertThat(failed.getRetryable()).isFalse();
        });
        assertThat(outcomeOf(out, nextId)).isInstanceOf(IngestionSucceeded.class);
        ingestion.assertDeadLettered(hanging, "longer than the limit of 5 seconds");

        release.countDown();
        await().atMost(Duration.ofSeconds(60)).until(() -> ingestion.workers().abandonedWorkers() == 0);
        assertThat(store.documentRows(CUSTOMER, model.id(), hangingId)).as("the worker, let go, wrote nothing")
                .isEmpty();
        assertThat(progress).as("nor reported anything after it was given up on")
                .filteredOn(report -> report.startsWith(hangingId))
                .containsExactly(hangingId + " fetch", hangingId + " extract", hangingId + " chunk");
    }

    @Test
    void aDocumentThatOverflowsTheStackFailsIsDeadLetteredAndTheNextOneIsIndexed() {
        String overflowingId = UUID.randomUUID().toString();
        DocumentEvent overflowing = upload(overflowingId, "text/plain", "A text that nests too deeply " + OVERFLOWS);
        String nextId = UUID.randomUUID().toString();

        events.pipeInput(CUSTOMER, overflowing);
        events.pipeInput(CUSTOMER, upload(nextId, "text/plain", "A second document that is fine."));

        List<IngestionResult> out = results.readValuesToList();
        assertThat(outcomeOf(out, overflowingId)).isInstanceOfSatisfying(IngestionFailed.class, failed -> {
            assertThat(failed.getReason())
                    .isEqualTo("the document could not be processed: it nests too deeply (StackOverflowError)");
            assertThat(failed.getRetryable()).isFalse();
        });
        assertThat(outcomeOf(out, nextId)).isInstanceOf(IngestionSucceeded.class);
        ingestion.assertDeadLettered(overflowing, "nests too deeply");
    }

    @Test
    void aRecordThatKeepsKillingTheStreamThreadIsDeadLetteredInsteadOfReadAgainForever() {
        String breakingId = UUID.randomUUID().toString();
        DocumentEvent breaking = upload(breakingId, "text/plain", "A text that breaks the pipeline " + BREAKS);

        String nextId = UUID.randomUUID().toString();
        DocumentEvent next = upload(nextId, "text/plain", "A second document that is fine.");

        assertThatThrownBy(() -> events.pipeInput(CUSTOMER, breaking)).isInstanceOf(InternalError.class);
        // The record stays unprocessed, and each round of processing reads it again first (as a new stream
        // thread does after the last one died on it); the document behind it waits.
        assertThatThrownBy(() -> events.pipeInput(CUSTOMER, next)).isInstanceOf(InternalError.class);
        assertThatThrownBy(() -> ingestion.driver().advanceWallClockTime(Duration.ZERO))
                .isInstanceOf(InternalError.class);
        ingestion.driver().advanceWallClockTime(Duration.ZERO);

        List<IngestionResult> out = results.readValuesToList();
        assertThat(outcomeOf(out, breakingId)).isInstanceOfSatisfying(IngestionFailed.class, failed -> {
            assertThat(failed.getReason())
                    .isEqualTo("the document could not be processed: it made the pipeline fail 3 times (InternalError)");
            assertThat(failed.getRetryable()).isFalse();
        });
        assertThat(outcomeOf(out, nextId)).isInstanceOf(IngestionSucceeded.class);
        ingestion.assertDeadLettered(breaking, "fail 3 times");
    }

    private IngestionSettings withLongestDocument(Duration longestDocument) {
        return new IngestionSettings(settings.kafka(), settings.applicationId(), settings.stateDir(),
                settings.documentBucket(), settings.maxDocumentBytes(), settings.maxChunkTokens(),
                settings.streamThreads(), settings.prices(), settings.extraction(), settings.vectorIndexRows(),
                longestDocument, settings.sessionTimeout());
    }

    private DocumentEvent upload(String documentId, String contentType, String text) {
        String key = "tenants/" + CUSTOMER + "/documents/" + documentId + "/" + UUID.randomUUID();
        objects.put(key, text);
        return uploadedEvent(documentId, key, contentType);
    }
}
