package io.dynrag.app.e2e;

import example.downstream.GenericTopicConsumer;
import example.downstream.PublishedSchemas;
import io.dynrag.schemas.EventHeaders;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.customer.CustomerCeilingsChanged;
import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.ingestion.IngestionResult;
import io.dynrag.schemas.usage.UsageFact;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The example downstream consumer of the schemas README: a plain kafka-clients consumer, configured
 * only by properties, that reads every event type of a customer's life from the real broker. The
 * only dependency it needs besides kafka-clients is the {@code schemas} jar.
 */
@Tag("e2e")
class DownstreamConsumerTest {

    private static final Set<String> EVERY_EVENT_TYPE = Set.of(
            "CustomerRegistered", "CustomerConfigurationChanged", "ProviderKeyChanged", "CustomerSuspended",
            "CustomerReactivated", "BudgetThresholdReached", "CustomerCeilingsChanged", "CustomerDeleted",
            "DocumentVersionUploaded", "DocumentIngestionStarted", "DocumentVersionIndexed", "DocumentVersionFailed",
            "DocumentMetadataChanged", "DocumentDeleted", "DocumentRemovedFromIndex");
    private static final Path AVSC_FILES = Path.of("../schemas/src/main/avro");
    private static final Path AVSC_HISTORY = Path.of("../schemas/src/main/resources/io/dynrag/schemas/history");
    /** Every public topic whose values are Avro; the dead-letter topic holds failed inputs as they were. */
    private static final List<String> AVRO_TOPICS = List.of("dynrag.customer-events.v1", "dynrag.document-events.v1",
            "dynrag.ingestion-results.v1", "dynrag.ingestion-progress.v1", "dynrag.usage.v1");
    private static final Set<String> EVERY_INGESTION_OUTCOME = Set.of(
            "IngestionStarted", "IngestionSucceeded", "IngestionFailed", "DocumentRemoved");

    private static final TestSystem system = TestSystem.shared();
    private static final ApiClient api = system.api();
    /** Both consumers read the one customer's life: the workload is most of this class's time. */
    private static String customerId;

    @BeforeAll
    static void aCustomersWholeLife() {
        customerId = customerWhoDoesEverything();
    }

    @Test
    void aPlainConsumerReadsEveryEventTypeOfACustomersLife() {

        Properties properties = new Properties();
        properties.put("bootstrap.servers", system.infra().kafkaBootstrapServers());
        properties.put("group.id", "example-consumer-" + UUID.randomUUID());
        properties.put("auto.offset.reset", "earliest");
        // The events are published in Kafka transactions: read only committed ones.
        properties.put("isolation.level", "read_committed");
        properties.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        properties.put("value.deserializer", "io.dynrag.schemas.TopicValueDeserializer");

        Set<String> eventTypes = new HashSet<>();
        Set<String> outcomes = new HashSet<>();
        Set<String> eventIds = new HashSet<>();
        int[] usageFacts = {0};
        try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(properties)) {
            consumer.subscribe(List.of(Topics.CUSTOMER_EVENTS.name(), Topics.DOCUMENT_EVENTS.name(),
                    Topics.INGESTION_RESULTS.name(), Topics.USAGE.name()));
            await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> {
                for (ConsumerRecord<String, Object> record : consumer.poll(Duration.ofMillis(500))) {
                    if (!customerId.equals(record.key())) {
                        continue;
                    }
                    switch (record.value()) {
                        case CustomerEvent event -> {
                            // Delivery is at least once: the event id header recognises a redelivery.
                            if (eventIds.add(EventHeaders.eventId(record.headers()).orElseThrow())) {
                                eventTypes.add(event.getPayload().getClass().getSimpleName());
                                assertThat(EventHeaders.eventType(record.headers()))
                                        .contains(event.getPayload().getClass().getSimpleName());
                                if (event.getPayload() instanceof CustomerCeilingsChanged ceilings) {
                                    assertThat(ceilings.getMaxDocuments()).isEqualTo(50_000);
                                    assertThat(ceilings.getRequestsPerMinute()).as("the default applies").isNull();
                                }
                            }
                        }
                        case DocumentEvent event -> {
                            if (eventIds.add(EventHeaders.eventId(record.headers()).orElseThrow())) {
                                eventTypes.add(event.getPayload().getClass().getSimpleName());
                            }
                        }
                        case IngestionResult result -> outcomes.add(result.getOutcome().getClass().getSimpleName());
                        case UsageFact fact -> usageFacts[0]++;
                        default -> throw new AssertionError("unexpected value " + record.value().getClass());
                    }
                }
                return eventTypes.containsAll(EVERY_EVENT_TYPE) && outcomes.containsAll(EVERY_INGESTION_OUTCOME)
                        && usageFacts[0] > 0;
            });
        }
        assertThat(eventTypes).isEqualTo(EVERY_EVENT_TYPE);
    }

    /**
     * The same life read by a consumer with none of our classes (package {@code example.downstream}): bytes from
     * kafka-clients, the writer's schema found by the fingerprint in each value among the published {@code .avsc}
     * files, the body read with Avro's generic API. Every event type those files define must arrive, whole.
     */
    @Test
    void aConsumerWithOnlyKafkaClientsAvroAndTheAvscFilesReadsEveryEventType() {
        PublishedSchemas schemas = PublishedSchemas.read(AVSC_FILES, AVSC_HISTORY);
        Set<String> expected = eventTypesDefinedBy(schemas);
        Set<Long> currentFingerprints = new HashSet<>();
        schemas.current().values().forEach(schema -> currentFingerprints.add(
                SchemaNormalization.parsingFingerprint64(schema)));

        Map<String, GenericRecord> firstOfEachType = new HashMap<>();
        Set<String> usageKinds = new HashSet<>();
        try (GenericTopicConsumer consumer = new GenericTopicConsumer(system.infra().kafkaBootstrapServers(),
                "generic-consumer-" + UUID.randomUUID(), AVRO_TOPICS, schemas)) {
            await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> {
                for (GenericTopicConsumer.Message message : consumer.poll(Duration.ofMillis(500))) {
                    if (!message.key().equals(customerId)) {
                        continue;
                    }
                    GenericRecord value = message.value();
                    assertThat(message.writerFingerprint()).as("written with the current schema")
                            .isIn(currentFingerprints);
                    assertThat(GenericData.get().validate(value.getSchema(), value)).as("%s", value).isTrue();
                    assertThat(value.get("customerId")).as("the key is the customer id").hasToString(customerId);
                    String type = eventType(value);
                    if (value.hasField("eventId")) {
                        assertThat(message.headers()).containsEntry("dynrag.event-type", type)
                                .containsEntry("dynrag.event-id", value.get("eventId").toString());
                    }
                    if (value.hasField("kind")) {
                        usageKinds.add(value.get("kind").toString());
                    }
                    firstOfEachType.putIfAbsent(type, value);
                }
                return firstOfEachType.keySet().containsAll(expected)
                        && usageKinds.containsAll(Set.of("API_CALL", "SEARCH_QUERY"));
            });
        }
        assertThat(firstOfEachType.keySet()).isEqualTo(expected);
        assertFieldsOf(firstOfEachType);
    }

    /** Spot checks that each type's fields hold what the workload did, read by name from generic records. */
    private static void assertFieldsOf(Map<String, GenericRecord> firstOfEachType) {
        assertThat(payload(firstOfEachType, "CustomerSuspended").get("reason")).hasToString("test");
        assertThat(payload(firstOfEachType, "ProviderKeyChanged").get("provider")).hasToString("openai");
        GenericRecord ceilings = payload(firstOfEachType, "CustomerCeilingsChanged");
        assertThat(ceilings.get("maxDocuments")).isEqualTo(50_000);
        assertThat(ceilings.get("requestsPerMinute")).as("the default applies").isNull();
        assertThat(payload(firstOfEachType, "BudgetThresholdReached").get("thresholdPercent")).isEqualTo(1);
        GenericRecord changed = payload(firstOfEachType, "CustomerConfigurationChanged");
        assertThat(((GenericRecord) changed.get("configuration")).get("monthlyBudgetMicroUsd")).isEqualTo(5_000_000L);
        assertThat(payload(firstOfEachType, "DocumentVersionUploaded").get("title").toString())
                .isIn("lighthouse.md", "scan.pdf");
        assertThat(((Map<?, ?>) payload(firstOfEachType, "DocumentMetadataChanged").get("metadata")).keySet())
                .extracting(Object::toString).containsExactly("team");
        assertThat((int) payload(firstOfEachType, "DocumentVersionIndexed").get("chunks")).isPositive();
        assertThat(payload(firstOfEachType, "DocumentVersionFailed").get("reason").toString()).isNotBlank();
        assertThat((int) payload(firstOfEachType, "IngestionSucceeded").get("chunks")).isPositive();
        assertThat(payload(firstOfEachType, "IngestionFailed").get("reason").toString()).isNotBlank();
        GenericRecord progress = firstOfEachType.get("IngestionProgress");
        assertThat((int) progress.get("chunksEmbedded")).isLessThanOrEqualTo((int) progress.get("chunksTotal"));
        assertThat(firstOfEachType.get("UsageFact").get("factId").toString()).isNotBlank();
    }

    /** The record named for its type: an envelope's payload, a result's outcome, or the value itself. */
    private static GenericRecord payload(Map<String, GenericRecord> firstOfEachType, String type) {
        GenericRecord value = firstOfEachType.get(type);
        for (String union : List.of("payload", "outcome")) {
            if (value.hasField(union)) {
                return (GenericRecord) value.get(union);
            }
        }
        return value;
    }

    private static String eventType(GenericRecord value) {
        for (String union : List.of("payload", "outcome")) {
            if (value.hasField(union)) {
                return ((GenericRecord) value.get(union)).getSchema().getName();
            }
        }
        return value.getSchema().getName();
    }

    /** Every branch of the envelopes' and results' unions, and each record without one, in the current files. */
    private static Set<String> eventTypesDefinedBy(PublishedSchemas schemas) {
        Set<String> types = new HashSet<>();
        for (Schema schema : schemas.current().values()) {
            Schema.Field union = schema.getField("payload") != null ? schema.getField("payload")
                    : schema.getField("outcome");
            if (union == null) {
                types.add(schema.getName());
            } else {
                union.schema().getTypes().forEach(branch -> types.add(branch.getName()));
            }
        }
        return types;
    }

    @Test
    void theListAboveNamesEveryEventTypeOfThePublishedSchemas() {
        Set<String> published = new HashSet<>();
        for (Schema envelope : List.of(CustomerEvent.getClassSchema(), DocumentEvent.getClassSchema())) {
            envelope.getField("payload").schema().getTypes().forEach(type -> published.add(type.getName()));
        }
        assertThat(EVERY_EVENT_TYPE).as("a new event type needs a place in the example consumer's workload")
                .isEqualTo(published);
    }

    /** Registers a customer that goes through every event type there is, and deletes it at the end. */
    private static String customerWhoDoesEverything() {
        String[] customer = system.registerCustomerWithId("Downstream Ltd");
        String key = customer[1];
        String admin = system.adminAccessToken();
        assertThat(api.putJson("/v1/customer/config", key,
                "{\"monthlyBudgetUsd\": 5, \"budgetAlertPercent\": 1}").status()).isEqualTo(200);
        assertThat(api.putJson("/v1/customer/provider-key", key, "{\"provider\": \"openai\", "
                + "\"apiKey\": \"sk-downstream-0123456789\", \"baseUrl\": \"http://127.0.0.1:9/v1\"}").status())
                .isEqualTo(200);
        assertThat(api.postJson("/v1/admin/customers/" + customer[0] + "/suspend", admin, "{\"reason\": \"test\"}")
                .status()).isEqualTo(200);
        assertThat(api.postJson("/v1/admin/customers/" + customer[0] + "/reactivate", admin, "").status())
                .isEqualTo(200);
        assertThat(api.putJson("/v1/admin/customers/" + customer[0] + "/ceilings", admin,
                "{\"maxDocuments\": 50000}").status()).isEqualTo(200);

        String guide = uploaded(key, "lighthouse.md", Corpus.lighthouseGuide().getBytes(StandardCharsets.UTF_8));
        String scan = uploaded(key, "scan.pdf", Corpus.pdfWithoutText());
        system.awaitStatus(key, guide, "INDEXED");
        system.awaitStatus(key, scan, "FAILED");
        assertThat(system.search(key, "lighthouse", 3)).as("a search is a usage fact").isNotEmpty();
        assertThat(api.send("PATCH", "/v1/documents/" + guide, ApiClient.bearer(key),
                "{\"metadata\": {\"team\": \"harbour\"}}").status()).isEqualTo(200);
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(
                () -> api.get("/v1/budget", key).json().get("alerted").asBoolean());
        assertThat(api.delete("/v1/documents/" + guide, key).status()).isEqualTo(202);
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(
                () -> system.objectKeys("tenants/" + customer[0] + "/documents/" + guide).isEmpty());
        assertThat(api.delete("/v1/admin/customers/" + customer[0], admin).status()).isEqualTo(202);
        return customer[0];
    }

    private static String uploaded(String key, String filename, byte[] content) {
        ApiClient.Response response = api.upload(key, "file", filename, content, null);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("documentId").asText();
    }
}
