package io.dynrag.projections;

import io.dynrag.schemas.connection.KafkaConnection;
import io.dynrag.schemas.consumer.ConsumerLoop;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import javax.sql.DataSource;
import java.sql.Connection;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one projection: a Kafka consumer whose offsets live in PostgreSQL next to the rows
 * they produced. Each poll is applied in one database transaction together with the new
 * offsets, so a crash at any point neither loses nor double-applies an event. Kafka's own
 * committed offsets are not used for positioning.
 */
public final class ProjectionRunner implements AutoCloseable {

    private final KafkaConnection kafka;
    private final KafkaConsumer<String, byte[]> consumer;
    private final ConsumerLoop<byte[]> loop;

    public ProjectionRunner(Projection projection, DataSource dataSource, KafkaConnection kafka) {
        this.kafka = kafka;
        this.consumer = kafka.opened(new KafkaConsumer<>(kafka.config(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, Projections.consumerGroup(projection),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500)),
                new StringDeserializer(), new ByteArrayDeserializer()));
        this.loop = new ConsumerLoop<>("projection-" + projection.name(), consumer, projection.topics(),
                Optional.of(() -> {
                    try (Connection connection = dataSource.getConnection()) {
                        return AppliedRecords.offsets(connection, projection.name());
                    }
                }),
                records -> {
                    try (Connection connection = dataSource.getConnection()) {
                        AppliedRecords.apply(connection, projection, records, true);
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
