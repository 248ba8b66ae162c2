package io.dynrag.projections.document;

import io.dynrag.projections.Projection;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.customer.CustomerDeleted;
import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.document.DocumentIngestionStarted;
import io.dynrag.schemas.document.DocumentVersionFailed;
import io.dynrag.schemas.document.DocumentVersionIndexed;
import io.dynrag.schemas.document.DocumentVersionUploaded;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;

/**
 * The documents catalogue: one row per document with its latest version and status.
 *
 * <p>A deleted customer's rows are removed and stay removed, whatever order the customer and
 * document topics arrive in.
 *
 * <p>Events arrive at least once; each row remembers the aggregate sequence number it has
 * applied, and an event at or below it is a redelivery and changes nothing.
 */
public final class DocumentsProjection implements Projection {

    private static final Logger log = LoggerFactory.getLogger(DocumentsProjection.class);

    @Override
    public String name() {
        return "documents";
    }

    @Override
    public List<String> topics() {
        return List.of(Topics.DOCUMENT_EVENTS.name(), Topics.CUSTOMER_EVENTS.name());
    }

    @Override
    public void apply(Connection tx, ConsumerRecord<String, byte[]> record) throws SQLException {
        if (record.topic().equals(Topics.CUSTOMER_EVENTS.name())) {
            applyCustomerEvent(tx, record);
            return;
        }
        DocumentEvent event;
        try {
            event = Topics.DOCUMENT_EVENTS.valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            log.error("Skipping unreadable document event at {}-{} offset {}: {}",
                    record.topic(), record.partition(), record.offset(), e.getMessage());
            return;
        }
        if (event == null || isDeleted(tx, event.getCustomerId())) {
            return;
        }
        switch (event.getPayload()) {
            case DocumentVersionUploaded uploaded -> upsertUploaded(tx, event, uploaded);
            case DocumentIngestionStarted started -> update(tx, event, started.getVersion(), """
                    UPDATE document SET status = 'PROCESSING', last_sequence = ?, updated_at = ?
                    WHERE document_id = ? AND last_sequence < ? AND version = ?""");
            case DocumentVersionIndexed indexed -> updateIndexed(tx, event, indexed);
            case DocumentVersionFailed failed -> updateFailed(tx, event, failed);
            default -> log.debug("Documents projection ignores {}", event.getPayload().getClass().getSimpleName());
        }
    }

    private static void applyCustomerEvent(Connection tx, ConsumerRecord<String, byte[]> record) throws SQLException {
        CustomerEvent event;
        try {
            event = Topics.CUSTOMER_EVENTS.valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            log.error("Skipping unreadable customer event at {}-{} offset {}: {}",
                    record.topic(), record.partition(), record.offset(), e.getMessage());
            return;
        }
        if (event == null || !(event.getPayload() instanceof CustomerDeleted)) {
            return;
        }
        try (PreparedStatement tombstone = tx.prepareStatement(
                "INSERT INTO deleted_customer (customer_id, deleted_at) VALUES (?, ?) ON CONFLICT DO NOTHING");
             PreparedStatement delete = tx.prepareStatement("DELETE FROM document WHERE customer_id = ?")) {
            tombstone.setString(1, event.getCustomerId());
            tombstone.setTimestamp(2, Timestamp.from(event.getOccurredAt()));
            tombstone.executeUpdate();
            delete.setString(1, event.getCustomerId());
            delete.executeUpdate();
        }
    }

    private static boolean isDeleted(Connection tx, String customerId) throws SQLException {
        try (PreparedStatement query = tx.prepareStatement("SELECT 1 FROM deleted_customer WHERE customer_id = ?")) {
            query.setString(1, customerId);
            try (var rows = query.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static void upsertUploaded(Connection tx, DocumentEvent event, DocumentVersionUploaded uploaded)
            throws SQLException {
        try (PreparedStatement upsert = tx.prepareStatement("""
                INSERT INTO document (document_id, customer_id, title, content_type, bytes, version, status,
                                      last_sequence, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, 'PENDING', ?, ?)
                ON CONFLICT (document_id) DO UPDATE SET
                    title = EXCLUDED.title, content_type = EXCLUDED.content_type, bytes = EXCLUDED.bytes,
                    version = EXCLUDED.version, status = 'PENDING', chunks = NULL, tokens = NULL,
                    embedded_tokens = NULL, lance_version = NULL, model = NULL, failure_reason = NULL,
                    last_sequence = EXCLUDED.last_sequence, updated_at = EXCLUDED.updated_at
                WHERE document.last_sequence < EXCLUDED.last_sequence""")) {
            upsert.setString(1, event.getDocumentId());
            upsert.setString(2, event.getCustomerId());
            upsert.setString(3, uploaded.getTitle());
            upsert.setString(4, uploaded.getContentType());
            upsert.setLong(5, uploaded.getBytes());
            upsert.setInt(6, uploaded.getVersion());
            upsert.setLong(7, event.getSequenceNumber());
            upsert.setTimestamp(8, Timestamp.from(event.getOccurredAt()));
            upsert.executeUpdate();
        }
    }

    private static void updateIndexed(Connection tx, DocumentEvent event, DocumentVersionIndexed indexed)
            throws SQLException {
        try (PreparedStatement update = tx.prepareStatement("""
                UPDATE document SET status = 'INDEXED', chunks = ?, tokens = ?, embedded_tokens = ?,
                    lance_version = ?, model = ?, failure_reason = NULL, last_sequence = ?, updated_at = ?
                WHERE document_id = ? AND last_sequence < ? AND version = ?""")) {
            update.setInt(1, indexed.getChunks());
            update.setLong(2, indexed.getTokens());
            update.setLong(3, indexed.getEmbeddedTokens());
            update.setLong(4, indexed.getLanceVersion());
            update.setString(5, indexed.getModel());
            bindGuard(update, 6, event, indexed.getVersion());
            update.executeUpdate();
        }
    }

    private static void updateFailed(Connection tx, DocumentEvent event, DocumentVersionFailed failed)
            throws SQLException {
        try (PreparedStatement update = tx.prepareStatement("""
                UPDATE document SET status = 'FAILED', failure_reason = ?, last_sequence = ?, updated_at = ?
                WHERE document_id = ? AND last_sequence < ? AND version = ?""")) {
            update.setString(1, failed.getReason());
            bindGuard(update, 2, event, failed.getVersion());
            update.executeUpdate();
        }
    }

    private static void update(Connection tx, DocumentEvent event, int version, String sql) throws SQLException {
        try (PreparedStatement update = tx.prepareStatement(sql)) {
            bindGuard(update, 1, event, version);
            update.executeUpdate();
        }
    }

    /** Binds: last_sequence, updated_at, document_id, the redelivery guard and the version guard. */
    private static void bindGuard(PreparedStatement update, int first, DocumentEvent event, int version)
            throws SQLException {
        update.setLong(first, event.getSequenceNumber());
        update.setTimestamp(first + 1, Timestamp.from(event.getOccurredAt()));
        update.setString(first + 2, event.getDocumentId());
        update.setLong(first + 3, event.getSequenceNumber());
        update.setInt(first + 4, version);
    }
}
