package io.dynrag.projections;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;

/**
 * Runs one projection: a Kafka consumer whose offsets live in PostgreSQL next to the rows
 * they produced. Each poll is applied in one database transaction together with the new
 * offsets, so a crash at any point neither loses nor double-applies an event. Kafka's own
 * committed offsets are not used for positioning.
 */
public final class ProjectionRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProjectionRunner.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final Projection projection;
    private final DataSource dataSource;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean assigned;

    public ProjectionRunner(Projection projection, DataSource dataSource, String bootstrapServers) {
        this.projection = projection;
        this.dataSource = dataSource;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, Projections.consumerGroup(projection),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "projection-" + projection.name());
    }

    public void start() {
        thread.start();
    }

    public boolean isReady() {
        return running && thread.isAlive() && assigned;
    }

    private void run() {
        try {
            consumer.subscribe(projection.topics(), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    // offsets are already stored with every applied batch
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    seekToStoredOffsets(partitions);
                }
            });
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                assigned = !consumer.assignment().isEmpty();
                if (!records.isEmpty()) {
                    applyWithRetry(records);
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

    private void seekToStoredOffsets(Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> stored = withRetry("read stored offsets", this::storedOffsets);
        for (TopicPartition partition : partitions) {
            Long next = stored.get(partition);
            if (next != null) {
                consumer.seek(partition, next);
            } else {
                consumer.seekToBeginning(java.util.List.of(partition));
            }
        }
    }

    private Map<TopicPartition, Long> storedOffsets() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return AppliedRecords.offsets(connection, projection.name());
        }
    }

    private void applyWithRetry(ConsumerRecords<String, byte[]> records) {
        withRetry("apply " + records.count() + " records", () -> {
            apply(records);
            return null;
        });
    }

    private void apply(ConsumerRecords<String, byte[]> records) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            AppliedRecords.apply(connection, projection, records, true);
        }
    }

    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    /** Database outages are waited out: skipping a batch would lose events from the read model. */
    private <T> T withRetry(String what, SqlWork<T> work) {
        Duration backoff = Duration.ofMillis(200);
        while (true) {
            try {
                return work.run();
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    throw new IllegalStateException("projection " + projection.name() + " stopped", e);
                }
                log.warn("Projection {} could not {}, retrying in {} ms: {}", projection.name(), what,
                        backoff.toMillis(), e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", interrupted);
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread.getState() == Thread.State.NEW) {
            // Never started: its thread would have closed the consumer (and joining it would throw).
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
