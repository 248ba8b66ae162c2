package io.dynrag.projections;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Applying records to a projection together with the offsets they were read at, and reading
 * those offsets back: the live runner and a replay do it the same way.
 */
public final class AppliedRecords {

    private AppliedRecords() {
    }

    /**
     * Applies the records and, when {@code storeOffsets}, the offset after each partition's last
     * record, in one transaction on {@code connection}.
     */
    public static void apply(Connection connection, Projection projection,
                             Iterable<ConsumerRecord<String, byte[]>> records, boolean storeOffsets)
            throws SQLException {
        Map<TopicPartition, Long> nextOffsets = new HashMap<>();
        connection.setAutoCommit(false);
        try {
            for (ConsumerRecord<String, byte[]> record : records) {
                projection.apply(connection, record);
                nextOffsets.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
            }
            if (storeOffsets) {
                store(connection, projection.name(), nextOffsets);
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    /** The next offset to read per partition, as stored with the projection's rows. */
    public static Map<TopicPartition, Long> offsets(Connection connection, String projection) throws SQLException {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT topic, partition, next_offset FROM projection_offset WHERE projection = ?")) {
            query.setString(1, projection);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    offsets.put(new TopicPartition(rows.getString(1), rows.getInt(2)), rows.getLong(3));
                }
            }
        }
        return offsets;
    }

    private static void store(Connection connection, String projection, Map<TopicPartition, Long> nextOffsets)
            throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("""
                INSERT INTO projection_offset (projection, topic, partition, next_offset) VALUES (?, ?, ?, ?)
                ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset""")) {
            for (Map.Entry<TopicPartition, Long> entry : nextOffsets.entrySet()) {
                upsert.setString(1, projection);
                upsert.setString(2, entry.getKey().topic());
                upsert.setInt(3, entry.getKey().partition());
                upsert.setLong(4, entry.getValue());
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
    }
}
