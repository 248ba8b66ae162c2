package io.dynrag.app.e2e;

import io.dynrag.schemas.EventHeaders;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.customer.CustomerCeilingsChanged;
import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.ingestion.IngestionResult;
import io.dynrag.schemas.usage.UsageFact;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
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
    private static final Set<String> EVERY_INGESTION_OUTCOME = Set.of(
            "IngestionStarted", "IngestionSucceeded", "IngestionFailed", "DocumentRemoved");

    private final TestSystem system = TestSystem.shared();
    private final ApiClient api = system.api();

    @Test
    void aPlainConsumerReadsEveryEventTypeOfACustomersLife() {
        String customerId = customerWhoDoesEverything();

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
    private String customerWhoDoesEverything() {
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

    private String uploaded(String key, String filename, byte[] content) {
        ApiClient.Response response = api.upload(key, "file", filename, content, null);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("documentId").asText();
    }
}
