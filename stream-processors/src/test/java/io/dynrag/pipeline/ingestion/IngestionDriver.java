package io.dynrag.pipeline.ingestion;

import io.dynrag.domain.billing.EmbeddingPrices;
import io.dynrag.pipeline.IngestionService;
import io.dynrag.pipeline.IngestionSettings;
import io.dynrag.pipeline.deadline.DocumentWorkers;
import io.dynrag.pipeline.embedding.EmbeddingModel;
import io.dynrag.pipeline.embedding.EmbeddingModels;
import io.dynrag.pipeline.embedding.ProviderCredentials;
import io.dynrag.pipeline.extraction.ExtractionLimits;
import io.dynrag.schemas.DeadLetterHeaders;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.connection.KafkaConnection;
import io.dynrag.schemas.customer.CustomerDeleted;
import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.document.DocumentDeleted;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.document.DocumentVersionUploaded;
import io.dynrag.schemas.ingestion.IngestionResult;
import io.dynrag.schemas.ingestion.IngestionStarted;
import io.dynrag.vectorstore.ChunkIndex;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ingestion topology exactly as it runs ({@link IngestionService}'s ingestor and properties),
 * driven by Kafka's TopologyTestDriver over the document source, chunk index and embedding model a
 * test gives: in-memory ones in this module, the real object store, Lance and ONNX model in the
 * launcher's. Also builds the events tests feed it and reads what it answers.
 */
public final class IngestionDriver implements AutoCloseable {

    public static final String CUSTOMER = "customer-1";

    private final DocumentWorkers workers;
    private final TopologyTestDriver driver;
    private final TestInputTopic<String, DocumentEvent> events;
    private final TestInputTopic<String, CustomerEvent> customerEvents;
    private final TestOutputTopic<String, IngestionResult> results;
    private final TestOutputTopic<String, byte[]> deadLetters;

    /** @param model the only model the pipeline runs (customers' OpenAI models have no key) */
    public IngestionDriver(IngestionSettings settings, DocumentSource objects, ChunkIndex index, EmbeddingModel model,
                           ProgressReporter progress) {
        workers = IngestionService.workers(settings);
        driver = new TopologyTestDriver(
                IngestionTopology.build(IngestionService.ingestor(settings, objects,
                                new EmbeddingModels(model, ProviderCredentials.NONE), index, progress,
                                AfterWrite.NOTHING, workers),
                        new DocumentRemoval(objects, index),
                        new TenantRemoval(objects, index), IngestionMetrics.NONE),
                IngestionService.properties(settings));
        events = driver.createInputTopic(Topics.DOCUMENT_EVENTS.name(), Serdes.String().serializer(),
                Topics.DOCUMENT_EVENTS.valueSerde().serializer());
        customerEvents = driver.createInputTopic(Topics.CUSTOMER_EVENTS.name(), Serdes.String().serializer(),
                Topics.CUSTOMER_EVENTS.valueSerde().serializer());
        deadLetters = driver.createOutputTopic(Topics.INGESTION_DLQ.name(), Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer());
        results = driver.createOutputTopic(Topics.INGESTION_RESULTS.name(), Serdes.String().deserializer(),
                Topics.INGESTION_RESULTS.valueSerde().deserializer());
    }

    /**
     * The pipeline's settings in these tests: documents up to 1,000,000 bytes, chunks of 120 tokens,
     * one stream thread, a price of 0.5 USD per million tokens of {@code pricedModel}.
     */
    public static IngestionSettings settings(Path stateDir, String bucket, String pricedModel) {
        return new IngestionSettings(KafkaConnection.to("unused:9092"), "ingestion-test", stateDir, bucket,
                1_000_000, 120, 1, new EmbeddingPrices(Map.of(pricedModel, new BigDecimal("0.5"))),
                ExtractionLimits.DEFAULTS, 50_000, Duration.ofMinutes(10), Duration.ofSeconds(45));
    }

    public TopologyTestDriver driver() {
        return driver;
    }

    public DocumentWorkers workers() {
        return workers;
    }

    public TestInputTopic<String, DocumentEvent> events() {
        return events;
    }

    public TestInputTopic<String, CustomerEvent> customerEvents() {
        return customerEvents;
    }

    public TestOutputTopic<String, IngestionResult> results() {
        return results;
    }

    public TestOutputTopic<String, byte[]> deadLetters() {
        return deadLetters;
    }

    /** Version 1 of the document was uploaded under {@code key}, by {@link #CUSTOMER}. */
    public static DocumentEvent uploadedEvent(String documentId, String key, String contentType) {
        return DocumentEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now())
                .setCustomerId(CUSTOMER)
                .setDocumentId(documentId)
                .setSequenceNumber(0)
                .setPayload(DocumentVersionUploaded.newBuilder()
                        .setVersion(1)
                        .setTitle("t")
                        .setContentType(contentType)
                        .setS3Key(key)
                        .setSha256("0".repeat(64))
                        .setBytes(10)
                        .build())
                .build();
    }

    /** {@link #CUSTOMER} deleted the document after its version 1. */
    public static DocumentEvent deletedEvent(String documentId) {
        return DocumentEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now())
                .setCustomerId(CUSTOMER)
                .setDocumentId(documentId)
                .setSequenceNumber(3)
                .setPayload(DocumentDeleted.newBuilder().setLastVersion(1).build())
                .build();
    }

    public static CustomerEvent customerDeletedEvent(String customerId) {
        return CustomerEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now())
                .setCustomerId(customerId)
                .setSequenceNumber(3)
                .setPayload(CustomerDeleted.newBuilder().build())
                .build();
    }

    /** The one outcome (not the start) among {@code results} for the document. */
    public static Object outcomeOf(List<IngestionResult> results, String documentId) {
        return results.stream().filter(result -> result.getDocumentId().equals(documentId))
                .map(IngestionResult::getOutcome).filter(outcome -> !(outcome instanceof IngestionStarted))
                .reduce((first, second) -> {
                    throw new AssertionError("two outcomes for " + documentId + ": " + first + ", " + second);
                }).orElseThrow(() -> new AssertionError("no outcome for " + documentId + " in " + results));
    }

    /** The input, and only it, went to the dead-letter topic as it was, with the reason and where it came from. */
    public void assertDeadLettered(DocumentEvent input, String reason) {
        var deadLetter = deadLetters.readRecord();
        assertThat(deadLetter.key()).isEqualTo(input.getCustomerId());
        assertThat(Topics.DOCUMENT_EVENTS.valueSerde().deserializer().deserialize(Topics.DOCUMENT_EVENTS.name(),
                deadLetter.value()).getEventId()).as("the input, as it was").isEqualTo(input.getEventId());
        assertThat(DeadLetterHeaders.errorMessage(deadLetter.headers())).hasValueSatisfying(
                message -> assertThat(message).contains(reason));
        assertThat(DeadLetterHeaders.sourceTopic(deadLetter.headers())).contains(Topics.DOCUMENT_EVENTS.name());
        assertThat(deadLetters.isEmpty()).as("only the failed input").isTrue();
    }

    @Override
    public void close() {
        driver.close();
        workers.close();
    }
}
