package io.dynrag.webhooks;

import io.dynrag.platform.persistence.InTransaction;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import io.dynrag.schemas.EventHeaders;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.customer.CustomerDeleted;
import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.document.DocumentEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns records of the event topics into webhook deliveries, in one transaction with the offsets they
 * advance: a crash neither loses an event nor, thanks to one delivery per webhook and event id, delivers it
 * twice. {@code CustomerDeleted} removes the customer's webhooks and deliveries.
 */
final class WebhookEventIntake {

    private static final Logger log = LoggerFactory.getLogger(WebhookEventIntake.class);
    private static final Deserializer<DocumentEvent> DOCUMENT_EVENTS = Topics.DOCUMENT_EVENTS.valueSerde().deserializer();
    private static final Deserializer<CustomerEvent> CUSTOMER_EVENTS = Topics.CUSTOMER_EVENTS.valueSerde().deserializer();

    private final ThreadBoundTransactionManager transactions;
    private final Webhooks webhooks;
    private final WebhookDeliveries deliveries;

    WebhookEventIntake(ThreadBoundTransactionManager transactions, Webhooks webhooks, WebhookDeliveries deliveries) {
        this.transactions = transactions;
        this.webhooks = webhooks;
        this.deliveries = deliveries;
    }

    static List<String> topics() {
        return List.of(Topics.DOCUMENT_EVENTS.name(), Topics.CUSTOMER_EVENTS.name());
    }

    /** @return the deliveries the records created */
    int apply(List<ConsumerRecord<String, byte[]>> records) {
        return InTransaction.run(transactions, "cannot store webhook deliveries", connection -> {
            int created = 0;
            Map<TopicPartition, Long> nextOffsets = new HashMap<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                created += apply(record);
                nextOffsets.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
            }
            // GREATEST: after a rebalance the previous owner of a partition may still commit an older position.
            try (PreparedStatement upsert = connection.prepareStatement("""
                    INSERT INTO webhook_offset (topic, partition, next_offset) VALUES (?, ?, ?)
                    ON CONFLICT (topic, partition)
                    DO UPDATE SET next_offset = GREATEST(webhook_offset.next_offset, EXCLUDED.next_offset)""")) {
                for (Map.Entry<TopicPartition, Long> offset : nextOffsets.entrySet()) {
                    upsert.setString(1, offset.getKey().topic());
                    upsert.setInt(2, offset.getKey().partition());
                    upsert.setLong(3, offset.getValue());
                    upsert.addBatch();
                }
                upsert.executeBatch();
            }
            return created;
        });
    }

    /** Where to resume in each partition the intake has seen. */
    Map<TopicPartition, Long> storedOffsets() {
        return InTransaction.run(transactions, "cannot read the webhook consumer's offsets", connection -> {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT topic, partition, next_offset FROM webhook_offset");
                 ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    offsets.put(new TopicPartition(rows.getString(1), rows.getInt(2)), rows.getLong(3));
                }
            }
            return offsets;
        });
    }

    private int apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return 0;
        }
        try {
            if (record.topic().equals(Topics.DOCUMENT_EVENTS.name())) {
                DocumentEvent event = DOCUMENT_EVENTS.deserialize(record.topic(), record.headers(), record.value());
                return enqueue(WebhookEvent.of(eventId(record, event.getEventId()), event));
            }
            if (record.topic().equals(Topics.CUSTOMER_EVENTS.name())) {
                CustomerEvent event = CUSTOMER_EVENTS.deserialize(record.topic(), record.headers(), record.value());
                if (event.getPayload() instanceof CustomerDeleted) {
                    int removed = webhooks.deleteAllOf(event.getCustomerId());
                    if (removed > 0) {
                        log.info("Removed {} webhooks of deleted customer {}", removed, event.getCustomerId());
                    }
                    return 0;
                }
                return enqueue(WebhookEvent.of(eventId(record, event.getEventId()), event));
            }
            return 0;
        } catch (SerializationException e) {
            // Skipping is safe here: an unreadable event could not be described to a receiver anyway.
            log.error("Skipping an unreadable record in {}-{} at offset {}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return 0;
        }
    }

    private int enqueue(Optional<WebhookEvent> event) {
        return event.map(deliveries::enqueue).orElse(0);
    }

    private static String eventId(ConsumerRecord<String, byte[]> record, String fromValue) {
        return EventHeaders.eventId(record.headers()).orElse(fromValue);
    }
}
