package io.dynrag.api.webhook;

import io.dynrag.api.persistence.ThreadBoundTransactionManager;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads the document and customer event topics (committed transactions only) and hands every poll to
 * {@link WebhookEventIntake}. Positions live in PostgreSQL with the deliveries, not in Kafka: on every
 * assignment the consumer seeks to the stored offsets. Every API instance runs one in the same group, so
 * the partitions, and the work, are shared.
 */
public final class WebhookEventConsumer implements AutoCloseable {

    static final String GROUP_ID = "dynrag-webhooks";
    private static final Logger log = LoggerFactory.getLogger(WebhookEventConsumer.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final WebhookEventIntake intake;
    private final Runnable deliveriesCreated;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean assigned;

    /** @param deliveriesCreated told when a poll created deliveries, so they are sent without waiting */
    public WebhookEventConsumer(String bootstrapServers, ThreadBoundTransactionManager transactions,
                                Webhooks webhooks, WebhookDeliveries deliveries, Runnable deliveriesCreated) {
        this.intake = new WebhookEventIntake(transactions, webhooks, deliveries);
        this.deliveriesCreated = deliveriesCreated;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, GROUP_ID,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "webhook-event-consumer");
    }

    public void start() {
        thread.start();
    }

    public boolean isReady() {
        return running && thread.isAlive() && assigned;
    }

    private void run() {
        try {
            consumer.subscribe(WebhookEventIntake.topics(), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    // positions are stored with every applied poll
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    Map<TopicPartition, Long> stored = withRetry("read stored offsets", intake::storedOffsets);
                    for (TopicPartition partition : partitions) {
                        Long next = stored.get(partition);
                        if (next != null) {
                            consumer.seek(partition, next);
                        } else {
                            consumer.seekToBeginning(List.of(partition));
                        }
                    }
                }
            });
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                assigned = !consumer.assignment().isEmpty();
                if (records.isEmpty()) {
                    continue;
                }
                List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(records.count());
                records.forEach(batch::add);
                int created = withRetry("store deliveries of " + batch.size() + " events", () -> intake.apply(batch));
                if (created > 0) {
                    deliveriesCreated.run();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close();
        }
    }

    /** A database outage is waited out: skipping a poll would lose its events' deliveries. */
    private <T> T withRetry(String what, Supplier<T> work) {
        Duration backoff = Duration.ofMillis(200);
        while (true) {
            try {
                return work.get();
            } catch (RuntimeException e) {
                if (!running) {
                    throw new WakeupException();
                }
                log.warn("The webhook consumer could not {}, retrying in {} ms: {}", what, backoff.toMillis(),
                        e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new WakeupException();
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread.getState() == Thread.State.NEW) {
            consumer.close();
            return;
        }
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
