package io.dynrag.projections.document;

import io.dynrag.domain.document.IndexingStats;
import io.dynrag.projections.DeletedCustomers;
import io.dynrag.projections.Projection;
import io.dynrag.projections.Sql;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.customer.CustomerDeleted;
import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.document.DocumentDeleted;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.document.DocumentIngestionStarted;
import io.dynrag.schemas.document.DocumentMetadataChanged;
import io.dynrag.schemas.document.DocumentRemovedFromIndex;
import io.dynrag.schemas.document.DocumentVersionFailed;
import io.dynrag.schemas.document.DocumentVersionIndexed;
import io.dynrag.schemas.document.DocumentVersionUploaded;
import io.dynrag.schemas.domain.IndexingStatsAvro;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * The documents catalogue: one row per document with its latest version and status
 * ({@code document}), and one row per version with its outcome and metrics
 * ({@code document_version}), and every state each document was in with when ({@code document_history}), for
 * the list as of an instant.
 *
 * <p>Events arrive at least once; the document row remembers the aggregate sequence number it
 * has applied, and an event at or below it is a redelivery and changes nothing. A deleted
 * customer's rows are removed and stay removed, whatever order the customer and document topics
 * arrive in.
 */
public final class DocumentsProjection implements Projection {

    private static final Logger log = LoggerFactory.getLogger(DocumentsProjection.class);
    /** The columns a document's state shares with {@code document} ({@code V9__document_history.sql}). */
    private static final String STATE = """
            document_id, customer_id, title, content_type, bytes, version, status, chunks, tokens, embedded_tokens,
            reused_chunks, characters, pages, metered_tokens, cost_micro_usd, lance_version, model, failure_reason,
            removed_lance_version, metadata, metadata_terms, metadata_instants, created_at, updated_at""";

    @Override
    public String name() {
        return "documents";
    }

    @Override
    public List<String> topics() {
        return List.of(Topics.DOCUMENT_EVENTS.name(), Topics.CUSTOMER_EVENTS.name());
    }

    @Override
    public List<String> tables() {
        return List.of("document", "document_version", "document_history", "document_history_span");
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
        if (event == null || DeletedCustomers.contains(tx, event.getCustomerId())) {
            return;
        }
        OptionalLong applied = lastSequence(tx, event.getDocumentId());
        if (applied.isPresent() && applied.getAsLong() >= event.getSequenceNumber()) {
            return;
        }
        switch (event.getPayload()) {
            case DocumentVersionUploaded uploaded -> uploaded(tx, event, uploaded);
            case DocumentMetadataChanged changed -> described(tx, event, changed);
            case DocumentIngestionStarted started -> versionStatus(tx, event, started.getVersion(), "PROCESSING", null);
            case DocumentVersionIndexed indexed ->
                    indexed(tx, event, indexed.getVersion(), IndexingStatsAvro.fromIndexedEvent(indexed));
            case DocumentVersionFailed failed ->
                    versionStatus(tx, event, failed.getVersion(), "FAILED", failed.getReason());
            case DocumentDeleted deleted -> Sql.execute(tx,
                    "UPDATE document SET status = 'DELETED' WHERE document_id = ?", event.getDocumentId());
            case DocumentRemovedFromIndex removed -> Sql.execute(tx,
                    "UPDATE document SET removed_lance_version = ? WHERE document_id = ?",
                    removed.getLanceVersion(), event.getDocumentId());
            default -> log.debug("Documents projection ignores {}", event.getPayload().getClass().getSimpleName());
        }
        Timestamp at = Timestamp.from(event.getOccurredAt());
        Sql.execute(tx, "UPDATE document SET last_sequence = ?, updated_at = ? WHERE document_id = ?",
                event.getSequenceNumber(), at, event.getDocumentId());
        recordState(tx, event.getCustomerId(), event.getDocumentId(), at);
    }

    /**
     * The document row as this event left it becomes the state valid from the event's time; the state before ends
     * then. Redeliveries never get here (see above), so each event adds at most one state.
     */
    private static void recordState(Connection tx, String customerId, String documentId, Timestamp at)
            throws SQLException {
        Sql.execute(tx, "UPDATE document_history SET valid_to = ? WHERE document_id = ? AND valid_to IS NULL",
                at, documentId);
        Sql.execute(tx, "INSERT INTO document_history (" + STATE + ", sequence, valid_from) SELECT " + STATE
                + ", last_sequence, updated_at FROM document WHERE document_id = ?", documentId);
        Sql.execute(tx, """
                INSERT INTO document_history_span (customer_id, complete_from, applied_until) VALUES (?, NULL, ?)
                ON CONFLICT (customer_id) DO UPDATE
                SET applied_until = GREATEST(document_history_span.applied_until, EXCLUDED.applied_until)""",
                customerId, at);
    }

    private static void uploaded(Connection tx, DocumentEvent event, DocumentVersionUploaded uploaded)
            throws SQLException {
        Timestamp at = Timestamp.from(event.getOccurredAt());
        Sql.execute(tx, """
                INSERT INTO document (document_id, customer_id, title, content_type, bytes, version, status,
                                      last_sequence, updated_at, created_at, metadata, metadata_terms,
                                      metadata_instants)
                VALUES (?, ?, ?, ?, ?, ?, 'PENDING', ?, ?, ?, CAST(? AS JSONB), ?, CAST(? AS JSONB))
                ON CONFLICT (document_id) DO UPDATE SET
                    title = EXCLUDED.title, metadata = EXCLUDED.metadata, metadata_terms = EXCLUDED.metadata_terms,
                    metadata_instants = EXCLUDED.metadata_instants,
                    content_type = EXCLUDED.content_type, bytes = EXCLUDED.bytes,
                    version = EXCLUDED.version, status = 'PENDING', chunks = NULL, tokens = NULL,
                    embedded_tokens = NULL, reused_chunks = NULL, characters = NULL, pages = NULL,
                    metered_tokens = NULL, cost_micro_usd = NULL, lance_version = NULL, model = NULL,
                    failure_reason = NULL""",
                event.getDocumentId(), event.getCustomerId(), uploaded.getTitle(), uploaded.getContentType(),
                uploaded.getBytes(), uploaded.getVersion(), event.getSequenceNumber(), at, at,
                MetadataJson.write(uploaded.getMetadata()), tx.createArrayOf("text",
                        MetadataJson.terms(uploaded.getMetadata())), MetadataJson.instants(uploaded.getMetadata()));
        Sql.execute(tx, """
                INSERT INTO document_version (document_id, version, customer_id, title, content_type, bytes, sha256,
                                              status, uploaded_at, updated_at, metadata)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?, CAST(? AS JSONB))
                ON CONFLICT (document_id, version) DO NOTHING""",
                event.getDocumentId(), uploaded.getVersion(), event.getCustomerId(), uploaded.getTitle(),
                uploaded.getContentType(), uploaded.getBytes(), uploaded.getSha256(), at, at,
                MetadataJson.write(uploaded.getMetadata()));
    }

    /** A new title and/or metadata: the document's, and its latest version's, which it describes from now on. */
    private static void described(Connection tx, DocumentEvent event, DocumentMetadataChanged changed)
            throws SQLException {
        String metadata = MetadataJson.write(changed.getMetadata());
        Sql.execute(tx, "UPDATE document SET title = ?, metadata = CAST(? AS JSONB), metadata_terms = ?, "
                        + "metadata_instants = CAST(? AS JSONB) WHERE document_id = ?", changed.getTitle(), metadata,
                tx.createArrayOf("text", MetadataJson.terms(changed.getMetadata())),
                MetadataJson.instants(changed.getMetadata()), event.getDocumentId());
        Sql.execute(tx, """
                UPDATE document_version SET title = ?, metadata = CAST(? AS JSONB)
                WHERE document_id = ? AND version = (SELECT version FROM document WHERE document_id = ?)""",
                changed.getTitle(), metadata, event.getDocumentId(), event.getDocumentId());
    }

    private static void indexed(Connection tx, DocumentEvent event, int version, IndexingStats stats)
            throws SQLException {
        String metrics = """
                status = 'INDEXED', chunks = ?, tokens = ?, embedded_tokens = ?, reused_chunks = ?, characters = ?,
                pages = ?, metered_tokens = ?, cost_micro_usd = ?, lance_version = ?, model = ?, failure_reason = NULL""";
        Object[] values = {stats.chunks(), stats.tokens(), stats.embeddedTokens(), stats.reusedChunks(),
                stats.characters(), stats.pages(), stats.meteredTokens(), stats.costMicroUsd(), stats.lanceVersion(),
                stats.model()};
        Sql.execute(tx, "UPDATE document_version SET " + metrics
                        + ", stage_millis = CAST(? AS JSONB), updated_at = ? WHERE document_id = ? AND version = ?",
                concat(values, json(stats.stageMillis()), Timestamp.from(event.getOccurredAt()),
                        event.getDocumentId(), version));
        Sql.execute(tx, "UPDATE document SET " + metrics + " WHERE document_id = ? AND version = ? AND status <> 'DELETED'",
                concat(values, event.getDocumentId(), version));
    }

    private static void versionStatus(Connection tx, DocumentEvent event, int version, String status, String reason)
            throws SQLException {
        Sql.execute(tx, "UPDATE document_version SET status = ?, failure_reason = ?, updated_at = ? "
                        + "WHERE document_id = ? AND version = ?",
                status, reason, Timestamp.from(event.getOccurredAt()), event.getDocumentId(), version);
        Sql.execute(tx, "UPDATE document SET status = ?, failure_reason = ? "
                        + "WHERE document_id = ? AND version = ? AND status <> 'DELETED'",
                status, reason, event.getDocumentId(), version);
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
        DeletedCustomers.record(tx, event.getCustomerId(), event.getOccurredAt());
        Sql.execute(tx, "DELETE FROM document_version WHERE customer_id = ?", event.getCustomerId());
        Sql.execute(tx, "DELETE FROM document_history WHERE customer_id = ?", event.getCustomerId());
        Sql.execute(tx, "DELETE FROM document_history_span WHERE customer_id = ?", event.getCustomerId());
        Sql.execute(tx, "DELETE FROM document WHERE customer_id = ?", event.getCustomerId());
    }

    private static OptionalLong lastSequence(Connection tx, String documentId) throws SQLException {
        try (PreparedStatement query = tx.prepareStatement("SELECT last_sequence FROM document WHERE document_id = ?")) {
            query.setString(1, documentId);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? OptionalLong.of(rows.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /** Stage names are ours (fetch, extract, ...) and values numbers, so no escaping is needed. */
    private static String json(Map<String, Long> stageMillis) {
        return stageMillis.entrySet().stream()
                .map(stage -> "\"" + stage.getKey().replace("\"", "") + "\":" + stage.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }

    private static Object[] concat(Object[] first, Object... rest) {
        Object[] all = new Object[first.length + rest.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }
}
