package io.dynrag.app.pipeline;

import io.dynrag.app.infra.S3Clients;
import io.dynrag.app.infra.S3Settings;
import io.dynrag.embedded.EmbeddedS3;
import io.dynrag.pipeline.IngestionSettings;
import io.dynrag.pipeline.embedding.MiniLmEmbeddingModel;
import io.dynrag.pipeline.ingestion.IngestionDriver;
import io.dynrag.pipeline.ingestion.ProgressReporter;
import io.dynrag.pipeline.ingestion.StoredObjects;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.ingestion.DocumentRemoved;
import io.dynrag.schemas.ingestion.IngestionFailed;
import io.dynrag.schemas.ingestion.IngestionResult;
import io.dynrag.schemas.ingestion.IngestionStarted;
import io.dynrag.schemas.ingestion.IngestionSucceeded;
import io.dynrag.vectorstore.LanceChunkStore;
import io.dynrag.vectorstore.search.ChunkMatch;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static io.dynrag.pipeline.ingestion.IngestionDriver.CUSTOMER;
import static io.dynrag.pipeline.ingestion.IngestionDriver.uploadedEvent;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ingestion topology exactly as it runs, driven by Kafka's TopologyTestDriver, with the real
 * object store (S3 API server), the real embedding model and real Lance datasets: what only they
 * show. The topology's own behaviour (reuse, chunk sizes, failure reasons, deadlines, crashes,
 * dead letters) is tested over in-memory stores in stream-processors' {@code IngestionTopologyTest};
 * here the same upload is found again by Lance's search with the model's vectors, a key the store
 * does not have fails the document as missing, and removals really leave Lance and the store.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngestionTopologyTest {

    private static final String BUCKET = "documents";

    private EmbeddedS3 s3Server;
    private S3Client s3;
    private MiniLmEmbeddingModel model;
    private LanceChunkStore store;
    private IngestionSettings settings;

    private IngestionDriver ingestion;
    private TestInputTopic<String, DocumentEvent> events;
    private TestOutputTopic<String, IngestionResult> results;

    @BeforeAll
    void startDependencies(@TempDir Path dir) {
        s3Server = EmbeddedS3.start(dir.resolve("s3"), 0, "key", "secret-key");
        s3 = S3Clients.create(new S3Settings(s3Server.endpoint(), "us-east-1", "key", "secret-key", BUCKET));
        S3Clients.ensureBucket(s3, BUCKET);
        model = new MiniLmEmbeddingModel(1);
        store = new LanceChunkStore(dir.resolve("lance"));
        settings = IngestionDriver.settings(dir.resolve("streams"), BUCKET, MiniLmEmbeddingModel.ID);
    }

    @BeforeEach
    void startDriver() {
        ingestion = new IngestionDriver(settings, new StoredObjects(s3, BUCKET), store, model, ProgressReporter.NONE);
        events = ingestion.events();
        results = ingestion.results();
    }

    @AfterEach
    void stopDriver() {
        ingestion.close();
    }

    @AfterAll
    void stopDependencies() {
        store.close();
        model.close();
        s3.close();
        s3Server.close();
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
        assertThat(succeeded.getModel()).isEqualTo(MiniLmEmbeddingModel.ID);
        assertThat(succeeded.getLanceVersion()).isEqualTo(store.latestVersion(CUSTOMER, model.id()).orElseThrow());
        assertThat(succeeded.getStageMillis()).containsKeys("fetch", "extract", "chunk", "embed", "write");
        assertThat(succeeded.getCharacters()).isGreaterThan(100);
        assertThat(succeeded.getMeteredTokens()).isPositive();
        assertThat(succeeded.getCostMicroUsd()).as("0.5 USD per million tokens")
                .isEqualTo(Math.round(succeeded.getEmbeddedTokens() * 0.5));

        List<ChunkMatch> hits = store.search(CUSTOMER, model.id(),
                model.embed("in winter the colony clusters around the queen"), 3);
        assertThat(hits).isNotEmpty();
        assertThat(hits.get(0).documentId()).isEqualTo(documentId);
        assertThat(hits.get(0).text()).contains("In winter the colony clusters");
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
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("tenants/" + CUSTOMER + "/documents/" + documentId))
                .contents()).isEmpty();
    }

    @Test
    void deletingACustomerRemovesItsDatasetsAndStoredObjects() {
        String tenant = "customer-to-delete";
        String key = "tenants/" + tenant + "/documents/d/" + UUID.randomUUID();
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("Doomed text.", StandardCharsets.UTF_8));
        DocumentEvent uploaded = uploadedEvent(UUID.randomUUID().toString(), key, "text/plain");
        uploaded.setCustomerId(tenant);
        events.pipeInput(tenant, uploaded);
        assertThat(store.latestVersion(tenant, model.id())).isPresent();
        s3.putObject(b -> b.bucket(BUCKET).key("tenants/customer-1-kept/x"), RequestBody.fromString("kept"));

        ingestion.customerEvents().pipeInput(tenant, IngestionDriver.customerDeletedEvent(tenant));

        assertThat(store.latestVersion(tenant, model.id())).isEmpty();
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("tenants/" + tenant + "/")).contents()).isEmpty();
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("tenants/customer-1-kept/")).contents()).hasSize(1);
    }

    private DocumentEvent upload(String documentId, String contentType, String text) {
        String key = "tenants/" + CUSTOMER + "/documents/" + documentId + "/" + UUID.randomUUID();
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString(text, StandardCharsets.UTF_8));
        return uploadedEvent(documentId, key, contentType);
    }
}
