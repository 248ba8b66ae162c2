package io.dynrag.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.schemas.EventHeaders;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.customer.BudgetThresholdReached;
import io.dynrag.schemas.customer.CustomerDeleted;
import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.customer.CustomerSuspended;
import io.dynrag.schemas.document.DocumentDeleted;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.document.DocumentVersionFailed;
import io.dynrag.schemas.document.DocumentVersionIndexed;
import io.dynrag.schemas.document.DocumentVersionUploaded;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookEventIntakeTest {

    private static final String URL = "https://hooks.example.com/dynrag";
    private static final String DOCUMENTS = Topics.DOCUMENT_EVENTS.name();
    private static final String CUSTOMERS = Topics.CUSTOMER_EVENTS.name();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebhookFixture fixture = new WebhookFixture(WebhookSettings.DEFAULTS, new Random(3));
    private final WebhookEventIntake intake = new WebhookEventIntake(fixture.database.transactions(),
            fixture.webhooks, fixture.deliveries);

    @Test
    void anIndexedDocumentBecomesOneDeliveryForEachEnabledSubscribedWebhookOfItsCustomer() throws Exception {
        UUID subscribed = fixture.webhook("cust-a", URL, WebhookEventType.DOCUMENT_INDEXED,
                WebhookEventType.DOCUMENT_FAILED).webhook().webhookId();
        UUID otherType = fixture.webhook("cust-a", URL, WebhookEventType.DOCUMENT_FAILED).webhook().webhookId();
        UUID disabled = fixture.webhooks.create("cust-a", UUID.randomUUID(), URL, java.util.Set.of(WebhookEventType.DOCUMENT_INDEXED), "",
                false).webhook().webhookId();
        UUID otherCustomer = fixture.webhook("cust-b", URL, WebhookEventType.DOCUMENT_INDEXED).webhook().webhookId();
        Instant occurredAt = fixture.now().truncatedTo(ChronoUnit.MILLIS);
        fixture.clock.advance(Duration.ofSeconds(5));
        UUID createdLater = fixture.webhook("cust-a", URL, WebhookEventType.DOCUMENT_INDEXED).webhook().webhookId();
        String eventId = UUID.randomUUID().toString();

        int created = intake.apply(List.of(document(0, eventId, "cust-a", "doc-1", occurredAt, indexed())));

        assertThat(created).isEqualTo(1);
        assertThat(fixture.log(otherType)).isEmpty();
        assertThat(fixture.log(disabled)).isEmpty();
        assertThat(fixture.log(otherCustomer)).isEmpty();
        assertThat(fixture.log(createdLater)).as("events from before a webhook existed are not sent to it").isEmpty();
        WebhookDeliveries.Delivery delivery = fixture.delivery(subscribed, eventId);
        assertThat(delivery.deliveryId()).isEqualTo(WebhookDeliveries.deliveryId(subscribed, eventId));
        assertThat(delivery.eventType()).isEqualTo("document.indexed");
        assertThat(delivery.status()).isEqualTo(WebhookDeliveries.Status.PENDING);
        assertThat(delivery.attempts()).isZero();
        assertThat(delivery.nextAttemptAt()).isEqualTo(fixture.now());

        JsonNode body = JSON.readTree(body(delivery.deliveryId()));
        assertThat(body.get("id").asText()).isEqualTo(delivery.deliveryId().toString());
        assertThat(body.get("type").asText()).isEqualTo("document.indexed");
        assertThat(Instant.parse(body.get("createdAt").asText())).isEqualTo(occurredAt);
        JsonNode data = body.get("data");
        assertThat(data.get("documentId").asText()).isEqualTo("doc-1");
        assertThat(data.get("version").asInt()).isEqualTo(2);
        assertThat(data.get("chunks").asInt()).isEqualTo(7);
        assertThat(data.get("tokens").asLong()).isEqualTo(900);
        assertThat(data.get("model").asText()).isEqualTo("all-minilm-l6-v2");
        assertThat(data.get("lanceVersion").asLong()).isEqualTo(12);
        assertThat(data.get("costUsd").decimalValue()).isEqualByComparingTo("0.000018");
        assertThat(body.fieldNames()).toIterable().containsExactly("id", "type", "createdAt", "data");
    }

    @Test
    void anEventSeenAgainCreatesNothingAndTheStoredPositionNeverMovesBack() {
        UUID webhookId = fixture.webhook("cust-a", URL, WebhookEventType.DOCUMENT_DELETED).webhook().webhookId();
        String eventId = UUID.randomUUID().toString();
        ConsumerRecord<String, byte[]> deleted = document(10, eventId, "cust-a", "doc-1", fixture.now(),
                new DocumentDeleted(3));

        assertThat(intake.apply(List.of(deleted))).isEqualTo(1);
        assertThat(intake.apply(List.of(deleted))).isZero();
        assertThat(intake.apply(List.of(document(11, eventId, "cust-a", "doc-1", fixture.now(),
                new DocumentDeleted(3))))).as("the same event id at another offset").isZero();
        assertThat(intake.storedOffsets()).containsEntry(new TopicPartition(DOCUMENTS, 0), 12L);

        intake.apply(List.of(deleted));

        assertThat(intake.storedOffsets()).containsEntry(new TopicPartition(DOCUMENTS, 0), 12L);
        assertThat(fixture.log(webhookId)).hasSize(1);
    }

    @Test
    void eachReportedEventTypeCarriesItsOwnData() throws Exception {
        UUID webhookId = fixture.webhook("cust-a", URL, WebhookEventType.SUBSCRIBABLE.toArray(WebhookEventType[]::new))
                .webhook().webhookId();
        String failedId = UUID.randomUUID().toString();
        String deletedId = UUID.randomUUID().toString();
        String budgetId = UUID.randomUUID().toString();

        int created = intake.apply(List.of(
                document(0, failedId, "cust-a", "doc-1", fixture.now(), new DocumentVersionFailed(1, "no text", false)),
                document(1, deletedId, "cust-a", "doc-1", fixture.now(), new DocumentDeleted(1)),
                customer(0, budgetId, "cust-a", new BudgetThresholdReached("2026-11", 80, 8_100_000L, 10_000_000L))));

        assertThat(created).isEqualTo(3);
        JsonNode failed = JSON.readTree(body(WebhookDeliveries.deliveryId(webhookId, failedId)));
        assertThat(failed.get("type").asText()).isEqualTo("document.failed");
        assertThat(failed.get("data").toString())
                .isEqualTo("{\"documentId\":\"doc-1\",\"version\":1,\"reason\":\"no text\",\"retryable\":false}");
        JsonNode deleted = JSON.readTree(body(WebhookDeliveries.deliveryId(webhookId, deletedId)));
        assertThat(deleted.get("type").asText()).isEqualTo("document.deleted");
        assertThat(deleted.get("data").toString()).isEqualTo("{\"documentId\":\"doc-1\",\"lastVersion\":1}");
        JsonNode budget = JSON.readTree(body(WebhookDeliveries.deliveryId(webhookId, budgetId)));
        assertThat(budget.get("type").asText()).isEqualTo("budget.threshold_reached");
        assertThat(budget.get("data").get("month").asText()).isEqualTo("2026-11");
        assertThat(budget.get("data").get("thresholdPercent").asInt()).isEqualTo(80);
        assertThat(budget.get("data").get("spentUsd").decimalValue()).isEqualByComparingTo("8.1");
        assertThat(budget.get("data").get("budgetUsd").decimalValue()).isEqualByComparingTo("10");
        assertThat(intake.storedOffsets()).containsEntry(new TopicPartition(DOCUMENTS, 0), 2L)
                .containsEntry(new TopicPartition(CUSTOMERS, 0), 1L);
    }

    @Test
    void eventsWebhooksDoNotReportAndUnreadableRecordsOnlyAdvanceThePosition() {
        UUID webhookId = fixture.webhook("cust-a", URL, WebhookEventType.SUBSCRIBABLE.toArray(WebhookEventType[]::new))
                .webhook().webhookId();
        ConsumerRecord<String, byte[]> garbage = new ConsumerRecord<>(DOCUMENTS, 1, 41, 0L, TimestampType.CREATE_TIME,
                0, 4, "cust-a", new byte[]{1, 2, 3, 4}, new RecordHeaders(), Optional.empty());

        int created = intake.apply(List.of(
                document(40, UUID.randomUUID().toString(), "cust-a", "doc-1", fixture.now(), uploaded()),
                garbage,
                customer(5, UUID.randomUUID().toString(), "cust-a", new CustomerSuspended("unpaid"))));

        assertThat(created).isZero();
        assertThat(fixture.log(webhookId)).isEmpty();
        assertThat(intake.storedOffsets()).containsEntry(new TopicPartition(DOCUMENTS, 1), 42L)
                .containsEntry(new TopicPartition(CUSTOMERS, 0), 6L);
    }

    @Test
    void aDeletedCustomersWebhooksAndDeliveriesAreRemoved() {
        UUID deletedCustomers = fixture.webhook("cust-a", URL, WebhookEventType.DOCUMENT_DELETED).webhook().webhookId();
        UUID othersWebhook = fixture.webhook("cust-b", URL, WebhookEventType.DOCUMENT_DELETED).webhook().webhookId();
        intake.apply(List.of(
                document(0, UUID.randomUUID().toString(), "cust-a", "doc-1", fixture.now(), new DocumentDeleted(1)),
                document(1, UUID.randomUUID().toString(), "cust-b", "doc-2", fixture.now(), new DocumentDeleted(1))));

        intake.apply(List.of(customer(0, UUID.randomUUID().toString(), "cust-a", new CustomerDeleted())));

        assertThat(fixture.webhooks.list("cust-a")).isEmpty();
        assertThat(fixture.database.queryOne("SELECT count(*) FROM webhook_delivery WHERE webhook_id = ?", Long.class,
                deletedCustomers)).isZero();
        assertThat(fixture.webhooks.list("cust-b")).hasSize(1);
        assertThat(fixture.log(othersWebhook)).hasSize(1);
    }

    private String body(UUID deliveryId) {
        return fixture.database.queryOne("SELECT body FROM webhook_delivery WHERE delivery_id = ?", String.class,
                deliveryId);
    }

    private static ConsumerRecord<String, byte[]> document(long offset, String eventId, String customerId,
                                                           String documentId, Instant occurredAt, Object payload) {
        DocumentEvent event = DocumentEvent.newBuilder().setEventId(eventId).setOccurredAt(occurredAt)
                .setCustomerId(customerId).setDocumentId(documentId).setSequenceNumber(offset).setPayload(payload)
                .build();
        byte[] value = Topics.DOCUMENT_EVENTS.valueSerde().serializer().serialize(DOCUMENTS, event);
        return record(DOCUMENTS, offset, customerId, eventId, documentId, payload, value);
    }

    private ConsumerRecord<String, byte[]> customer(long offset, String eventId, String customerId, Object payload) {
        CustomerEvent event = CustomerEvent.newBuilder().setEventId(eventId).setOccurredAt(fixture.now())
                .setCustomerId(customerId).setSequenceNumber(offset).setPayload(payload).build();
        byte[] value = Topics.CUSTOMER_EVENTS.valueSerde().serializer().serialize(CUSTOMERS, event);
        return record(CUSTOMERS, offset, customerId, eventId, customerId, payload, value);
    }

    private static ConsumerRecord<String, byte[]> record(String topic, long offset, String key, String eventId,
                                                         String aggregateId, Object payload, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        EventHeaders.add(headers, eventId, aggregateId, offset, payload.getClass().getSimpleName());
        return new ConsumerRecord<>(topic, 0, offset, 0L, TimestampType.CREATE_TIME, key.length(), value.length, key,
                value, headers, Optional.empty());
    }

    private static DocumentVersionIndexed indexed() {
        return DocumentVersionIndexed.newBuilder().setVersion(2).setChunks(7).setTokens(900).setEmbeddedTokens(300)
                .setReusedChunks(4).setLanceVersion(12).setModel("all-minilm-l6-v2")
                .setStageMillis(Map.of("embed", 120L)).setCharacters(4_000).setPages(0).setMeteredTokens(880)
                .setCostMicroUsd(18).build();
    }

    private static DocumentVersionUploaded uploaded() {
        return DocumentVersionUploaded.newBuilder().setVersion(1).setTitle("Tides").setContentType("text/plain")
                .setS3Key("tenants/cust-a/documents/doc-1/abc").setSha256("ab".repeat(32)).setBytes(10)
                .setChunkTokens(0).setChunkOverlapTokens(0).setEmbeddingModel("").build();
    }
}
