package io.dynrag.projections;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A read model built from Kafka topics. {@link #apply} runs inside the transaction that also
 * stores the consumed offsets, so applying must only write through the given connection and
 * must be deterministic: a rebuild from offset 0 yields the same rows.
 */
public interface Projection {

    String name();

    List<String> topics();

    /**
     * The tables this projection alone writes, which a replay rebuilds and may swap. Shared
     * tables ({@code deleted_customer}) are written identically by every projection.
     */
    List<String> tables();

    void apply(Connection transaction, ConsumerRecord<String, byte[]> record) throws SQLException;
}
