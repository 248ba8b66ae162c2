package io.dynrag.webhooks;

import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import io.dynrag.schemas.connection.KafkaConnection;
import io.dynrag.schemas.consumer.ConsumerLoop;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.util.Map;
import java.util.Optional;

/**
 * Reads the document and customer event topics (committed transactions only) and hands every poll to
 * {@link WebhookEventIntake}. Positions live in PostgreSQL with the deliveries, not in Kafka: on every
 * assignment the consumer seeks to the stored offsets. Every API instance runs one in the same group, so
 * the partitions, and the work, are shared.
 */
public final class WebhookEventConsumer implements AutoCloseable {

    static final String GROUP_ID = "dynrag-webhooks";

    private final KafkaConnection kafka;
    private final KafkaConsumer<String, byte[]> consumer;
    private final ConsumerLoop<byte[]> loop;

    /** @param deliveriesCreated told when a poll created deliveries, so they are sent without waiting */
    public WebhookEventConsumer(KafkaConnection kafka, ThreadBoundTransactionManager transactions,
                                Webhooks webhooks, WebhookDeliveries deliveries, Runnable deliveriesCreated) {
        this.kafka = kafka;
        WebhookEventIntake intake = new WebhookEventIntake(transactions, webhooks, deliveries);
        this.consumer = kafka.opened(new KafkaConsumer<>(kafka.config(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, GROUP_ID,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500)),
                new StringDeserializer(), new ByteArrayDeserializer()));
        this.loop = new ConsumerLoop<>("webhook-event-consumer", consumer, WebhookEventIntake.topics(),
                Optional.of(intake::storedOffsets), records -> {
                    if (intake.apply(records) > 0) {
                        deliveriesCreated.run();
                    }
                });
    }

    public void start() {
        loop.start();
    }

    public boolean isReady() {
        return loop.isReady();
    }

    @Override
    public void close() {
        loop.close();
        kafka.closed(consumer);
    }
}
