package io.dynrag.schemas;

import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.ingestion.IngestionProgress;
import io.dynrag.schemas.ingestion.IngestionResult;
import io.dynrag.schemas.usage.UsageFact;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;

/** The public topics. Every key is the customerId as a UTF-8 string. */
public final class Topics {

    public static final Topic<CustomerEvent> CUSTOMER_EVENTS =
            new Topic<>("dynrag.customer-events.v1", Serdes.String(), new AvroSerde<>(CustomerEvent.class));

    public static final Topic<DocumentEvent> DOCUMENT_EVENTS =
            new Topic<>("dynrag.document-events.v1", Serdes.String(), new AvroSerde<>(DocumentEvent.class));

    public static final Topic<IngestionResult> INGESTION_RESULTS =
            new Topic<>("dynrag.ingestion-results.v1", Serdes.String(), new AvroSerde<>(IngestionResult.class));

    /** Inputs the ingestion could not process, byte for byte as they were, with {@link DeadLetterHeaders}. */
    public static final Topic<byte[]> INGESTION_DLQ =
            new Topic<>("dynrag.ingestion-dlq.v1", Serdes.String(), Serdes.ByteArray());

    /** Best-effort reports of work in progress; short-lived, not transactional. */
    public static final Topic<IngestionProgress> INGESTION_PROGRESS =
            new Topic<>("dynrag.ingestion-progress.v1", Serdes.String(), new AvroSerde<>(IngestionProgress.class));

    /** Usage too frequent to event-source: API calls and search queries. */
    public static final Topic<UsageFact> USAGE =
            new Topic<>("dynrag.usage.v1", Serdes.String(), new AvroSerde<>(UsageFact.class));

    private static final String KEEP_FOREVER = "-1";
    private static final String KEEP_THIRTY_DAYS = Long.toString(Duration.ofDays(30).toMillis());
    private static final String KEEP_ONE_HOUR = Long.toString(Duration.ofHours(1).toMillis());

    private Topics() {
    }

    /** Every public topic, in creation order. */
    public static List<Topic<?>> all() {
        return List.of(CUSTOMER_EVENTS, DOCUMENT_EVENTS, INGESTION_RESULTS, INGESTION_DLQ, INGESTION_PROGRESS, USAGE);
    }

    /** Names of every public topic, in creation order. */
    public static List<String> allNames() {
        return all().stream().map(Topic::name).toList();
    }

    /** The public topic of this name. */
    public static Optional<Topic<?>> byName(String name) {
        return all().stream().filter(topic -> topic.name().equals(name)).findFirst();
    }

    /**
     * Topic-level configuration each public topic must be created with, by name. Event topics
     * and usage facts are kept forever because read models are rebuilt by replaying them from
     * offset 0; results and dead letters are transient.
     */
    public static Map<String, Map<String, String>> creationConfigs() {
        Map<String, Map<String, String>> configs = new LinkedHashMap<>();
        configs.put(CUSTOMER_EVENTS.name(), Map.of(TopicConfig.RETENTION_MS_CONFIG, KEEP_FOREVER));
        configs.put(DOCUMENT_EVENTS.name(), Map.of(TopicConfig.RETENTION_MS_CONFIG, KEEP_FOREVER));
        configs.put(INGESTION_RESULTS.name(), Map.of(TopicConfig.RETENTION_MS_CONFIG, KEEP_THIRTY_DAYS));
        configs.put(INGESTION_DLQ.name(), Map.of(TopicConfig.RETENTION_MS_CONFIG, KEEP_THIRTY_DAYS));
        configs.put(INGESTION_PROGRESS.name(), Map.of(TopicConfig.RETENTION_MS_CONFIG, KEEP_ONE_HOUR));
        configs.put(USAGE.name(), Map.of(TopicConfig.RETENTION_MS_CONFIG, KEEP_FOREVER));
        return Collections.unmodifiableMap(configs);
    }
}
