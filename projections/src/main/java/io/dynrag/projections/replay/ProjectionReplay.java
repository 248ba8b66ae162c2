package io.dynrag.projections.replay;

import io.dynrag.projections.AppliedRecords;
import io.dynrag.projections.Projection;
import io.dynrag.projections.Projections;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.connection.KafkaConnection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Rebuilds one projection from nothing into a schema of its own, compares the rebuilt tables with
 * the live ones and, if asked, swaps them in.
 *
 * <p>The rebuild reads every topic of the projection from offset 0 (or, with
 * {@link Source#EVENT_STORE}, the events from the event store and only the other topics from
 * Kafka). To compare like with like, the live tables are then locked against the live runner and
 * the rebuild reads on to exactly the offsets the live rows were committed with; when the live
 * runner is running but behind, the replay first waits for it to catch up. A swap replaces the
 * live tables and offsets in the same transaction, so the runner continues from the rebuilt rows
 * without a gap or a double count.
 */
public final class ProjectionReplay {

    /** Where the events come from; other topics are always read from Kafka. */
    public enum Source { KAFKA, EVENT_STORE }

    /** A table's row count and checksum, live and rebuilt. */
    public record TableComparison(String table, long liveRows, long rebuiltRows, String liveChecksum,
                                  String rebuiltChecksum) {

        public boolean identical() {
            return liveRows == rebuiltRows && liveChecksum.equals(rebuiltChecksum);
        }
    }

    /**
     * @param liveBehind offsets the live tables have not applied yet (their runner is stopped);
     *                   differences are then expected
     */
    public record Report(String projection, Source source, String schema, long recordsApplied, long liveBehind,
                         List<TableComparison> tables, boolean swapped, Duration took) {

        public boolean identical() {
            return tables.stream().allMatch(TableComparison::identical);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(ProjectionReplay.class);
    private static final Set<String> EVENT_TOPICS = Set.of(Topics.CUSTOMER_EVENTS.name(), Topics.DOCUMENT_EVENTS.name());
    /** Written identically by every projection; compared, never swapped. */
    private static final List<String> SHARED_TABLES = List.of("deleted_customer");
    private static final int BATCH = 500;

    private final Projection projection;
    private final DataSource live;
    private final DataSource rebuilt;
    private final String rebuiltSchema;
    private final KafkaConnection kafka;
    private final Duration liveCatchUpTimeout;

    /**
     * @param live    connections on the live {@value Projections#SCHEMA} schema
     * @param rebuilt connections whose search path is {@code rebuiltSchema}, which the replay drops
     *                and creates
     */
    public ProjectionReplay(Projection projection, DataSource live, DataSource rebuilt, String rebuiltSchema,
                            KafkaConnection kafka, Duration liveCatchUpTimeout) {
        if (!rebuiltSchema.matches("[a-z_][a-z0-9_]*") || rebuiltSchema.equals(Projections.SCHEMA)) {
            throw new IllegalArgumentException("not a schema a replay may use: " + rebuiltSchema);
        }
        this.projection = projection;
        this.live = live;
        this.rebuilt = rebuilt;
        this.rebuiltSchema = rebuiltSchema;
        this.kafka = kafka;
        this.liveCatchUpTimeout = liveCatchUpTimeout;
    }

    /**
     * @param storedEvents the event store's events as the records the publisher sends, oldest
     *                     first; only for {@link Source#EVENT_STORE}
     */
    public Report run(Source source, Supplier<Stream<ConsumerRecord<String, byte[]>>> storedEvents, boolean swap)
            throws SQLException {
        if (swap && source == Source.EVENT_STORE) {
            throw new IllegalArgumentException("a rebuild from the event store has no Kafka offsets to continue "
                    + "from, so it can be compared but not swapped in; rebuild from Kafka to swap");
        }
        Instant started = Instant.now();
        createRebuiltSchema();
        long applied = 0;
        if (source == Source.EVENT_STORE) {
            try (Stream<ConsumerRecord<String, byte[]>> events = storedEvents.get()) {
                applied += applyInBatches(events.filter(record -> projection.topics().contains(record.topic()))
                        .iterator());
            }
        }
        List<String> kafkaTopics = projection.topics().stream()
                .filter(topic -> source == Source.KAFKA || !EVENT_TOPICS.contains(topic))
                .toList();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitionsOf(consumer, kafkaTopics);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            // The offset after the last record applied: the end offset can be a transaction marker's.
            Map<TopicPartition, Long> rebuiltAt = new HashMap<>();
            partitions.forEach(partition -> rebuiltAt.put(partition, 0L));
            applied += consumeUntil(consumer, end, rebuiltAt);
            if (liveRunnerIsRunning()) {
                awaitLiveAt(rebuiltAt);
            }
            try (Connection connection = live.getConnection()) {
                connection.setAutoCommit(false);
                try {
                    // Readers may go on while comparing; a swap shuts them out for its few statements.
                    lockLiveTables(connection, swap ? "ACCESS EXCLUSIVE" : "SHARE");
                    Map<TopicPartition, Long> liveAt = AppliedRecords.offsets(connection, projection.name());
                    Map<TopicPartition, Long> target = new HashMap<>();
                    long liveBehind = 0;
                    for (TopicPartition partition : partitions) {
                        long liveOffset = liveAt.getOrDefault(partition, 0L);
                        target.put(partition, Math.max(liveOffset, end.get(partition)));
                        liveBehind += Math.max(0, rebuiltAt.get(partition) - liveOffset);
                    }
                    applied += consumeUntil(consumer, target, rebuiltAt);
                    List<TableComparison> tables = compare(connection);
                    if (swap) {
                        swapIn(connection);
                    }
                    connection.commit();
                    Report report = new Report(projection.name(), source, rebuiltSchema, applied, liveBehind, tables,
                            swap, Duration.between(started, Instant.now()));
                    if (swap || report.identical()) {
                        dropRebuiltSchema();
                    }
                    return report;
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                }
            }
        }
    }

    private void createRebuiltSchema() throws SQLException {
        dropRebuiltSchema();
        Projections.migrate(rebuilt, rebuiltSchema);
    }

    private void dropRebuiltSchema() throws SQLException {
        try (Connection connection = live.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + rebuiltSchema + " CASCADE");
        }
    }

    private long applyInBatches(Iterator<ConsumerRecord<String, byte[]>> records) throws SQLException {
        long applied = 0;
        List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(BATCH);
        while (records.hasNext()) {
            batch.add(records.next());
            if (batch.size() == BATCH || !records.hasNext()) {
                try (Connection connection = rebuilt.getConnection()) {
                    // Records from the event store have no Kafka offsets worth keeping.
                    AppliedRecords.apply(connection, projection, batch, false);
                }
                applied += batch.size();
                batch.clear();
            }
        }
        return applied;
    }

    /**
     * Applies every record before {@code target} of each partition, storing offsets with the rows,
     * and notes in {@code appliedUpTo} the offset after each partition's last applied record.
     */
    private long consumeUntil(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> target,
                              Map<TopicPartition, Long> appliedUpTo) throws SQLException {
        long applied = 0;
        while (target.entrySet().stream().anyMatch(entry -> consumer.position(entry.getKey()) < entry.getValue())) {
            ConsumerRecords<String, byte[]> polled = consumer.poll(Duration.ofMillis(500));
            List<ConsumerRecord<String, byte[]>> wanted = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : polled) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (record.offset() < target.get(partition)) {
                    wanted.add(record);
                    appliedUpTo.put(partition, record.offset() + 1);
                }
            }
            // Records read past the target are read again if a later target asks for them.
            for (TopicPartition partition : polled.partitions()) {
                if (consumer.position(partition) > target.get(partition)) {
                    consumer.seek(partition, target.get(partition));
                }
            }
            if (!wanted.isEmpty()) {
                try (Connection connection = rebuilt.getConnection()) {
                    AppliedRecords.apply(connection, projection, wanted, true);
                }
                applied += wanted.size();
            }
        }
        return applied;
    }

    private boolean liveRunnerIsRunning() {
        try (Admin admin = Admin.create(kafka.config(Map.of()))) {
            String group = Projections.consumerGroup(projection);
            return !admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group)
                    .members().isEmpty();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot tell whether the projection runs: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void awaitLiveAt(Map<TopicPartition, Long> end) throws SQLException {
        Instant deadline = Instant.now().plus(liveCatchUpTimeout);
        while (true) {
            Map<TopicPartition, Long> liveAt;
            try (Connection connection = live.getConnection()) {
                liveAt = AppliedRecords.offsets(connection, projection.name());
            }
            boolean caughtUp = end.entrySet().stream()
                    .allMatch(entry -> liveAt.getOrDefault(entry.getKey(), 0L) >= entry.getValue());
            if (caughtUp) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the running projection '" + projection.name() + "' did not reach "
                        + "the rebuilt position within " + liveCatchUpTimeout.toSeconds() + " s; check its log");
            }
            log.info("Waiting for the running projection '{}' to catch up before comparing", projection.name());
            sleep(Duration.ofMillis(500));
        }
    }

    private void lockLiveTables(Connection connection, String mode) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("LOCK TABLE " + String.join(", ", projection.tables()) + " IN " + mode + " MODE");
        }
    }

    private List<TableComparison> compare(Connection connection) throws SQLException {
        List<TableComparison> tables = new ArrayList<>();
        for (String table : concat(projection.tables(), SHARED_TABLES)) {
            Fingerprint liveRows = fingerprint(connection, Projections.SCHEMA, table);
            Fingerprint rebuiltRows = fingerprint(connection, rebuiltSchema, table);
            tables.add(new TableComparison(table, liveRows.rows(), rebuiltRows.rows(), liveRows.checksum(),
                    rebuiltRows.checksum()));
        }
        return tables;
    }

    private record Fingerprint(long rows, String checksum) {
    }

    /** Row count and an order-independent checksum over every column of every row. */
    private static Fingerprint fingerprint(Connection connection, String schema, String table) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT count(*), "
                + "COALESCE(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') FROM " + schema + "."
                + table + " t");
             ResultSet row = query.executeQuery()) {
            row.next();
            return new Fingerprint(row.getLong(1), row.getString(2));
        }
    }

    private void swapIn(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (String table : projection.tables()) {
                statement.execute("DROP TABLE " + Projections.SCHEMA + "." + table);
                statement.execute("ALTER TABLE " + rebuiltSchema + "." + table + " SET SCHEMA " + Projections.SCHEMA);
            }
        }
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM " + Projections.SCHEMA + ".projection_offset WHERE projection = ?");
             PreparedStatement copy = connection.prepareStatement("INSERT INTO " + Projections.SCHEMA
                     + ".projection_offset SELECT * FROM " + rebuiltSchema + ".projection_offset WHERE projection = ?")) {
            delete.setString(1, projection.name());
            delete.executeUpdate();
            copy.setString(1, projection.name());
            copy.executeUpdate();
        }
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(kafka.config(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, BATCH)),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> partitionsOf(KafkaConsumer<?, ?> consumer, List<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        return partitions;
    }

    private static List<String> concat(List<String> first, List<String> second) {
        return Stream.concat(first.stream(), second.stream()).toList();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
