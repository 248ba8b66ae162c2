package io.dynrag.projections.usage;

import io.dynrag.domain.document.IndexingStats;
import io.dynrag.projections.DeletedCustomers;
import io.dynrag.projections.Projection;
import io.dynrag.projections.Sql;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.customer.CustomerDeleted;
import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.document.DocumentDeleted;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.document.DocumentVersionFailed;
import io.dynrag.schemas.document.DocumentVersionIndexed;
import io.dynrag.schemas.document.DocumentVersionUploaded;
import io.dynrag.schemas.domain.IndexingStatsAvro;
import io.dynrag.schemas.usage.UsageFact;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Usage per customer per day (UTC) and per document: the numbers customers are billed by. Built
 * from the document events (uploads, outcomes with their tokens and cost, deletions) and the usage
 * facts (API calls, search queries, reranked searches with their cost). A day is the day the event happened, so a rebuild assigns
 * every count to the same day again.
 *
 * <p>Document events arrive at least once and are recognised by their aggregate sequence number;
 * usage facts are published once (idempotent producer) and counted once, because the runner stores
 * offsets with the rows.
 */
public final class UsageProjection implements Projection {

    private static final Logger log = LoggerFactory.getLogger(UsageProjection.class);

    @Override
    public String name() {
        return "usage";
    }

    @Override
    public List<String> topics() {
        return List.of(Topics.DOCUMENT_EVENTS.name(), Topics.CUSTOMER_EVENTS.name(), Topics.USAGE.name());
    }

    @Override
    public List<String> tables() {
        return List.of("usage_daily", "usage_document");
    }

    @Override
    public void apply(Connection tx, ConsumerRecord<String, byte[]> record) throws SQLException {
        try {
            if (record.topic().equals(Topics.USAGE.name())) {
                fact(tx, Topics.USAGE.valueSerde().deserializer().deserialize(record.topic(), record.value()));
            } else if (record.topic().equals(Topics.CUSTOMER_EVENTS.name())) {
                customer(tx, Topics.CUSTOMER_EVENTS.valueSerde().deserializer()
                        .deserialize(record.topic(), record.value()));
            } else {
                document(tx, Topics.DOCUMENT_EVENTS.valueSerde().deserializer()
                        .deserialize(record.topic(), record.value()));
            }
        } catch (SerializationException e) {
            log.error("Skipping unreadable record at {}-{} offset {}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        }
    }

    private static void fact(Connection tx, UsageFact fact) throws SQLException {
        if (fact == null || DeletedCustomers.contains(tx, fact.getCustomerId())) {
            return;
        }
        Map<String, Long> deltas = switch (fact.getKind()) {
            case API_CALL -> Map.of("api_calls", 1L);
            case SEARCH_QUERY -> Map.of("search_queries", 1L);
            case RERANKED_SEARCH -> Map.of("reranked_searches", 1L, "reranked_documents", fact.getDocuments(),
                    "rerank_tokens", fact.getTokens(), "rerank_cost_micro_usd", fact.getCostMicroUsd());
        };
        addToDay(tx, fact.getCustomerId(), fact.getOccurredAt(), deltas);
    }

    private static void customer(Connection tx, CustomerEvent event) throws SQLException {
        if (event == null || !(event.getPayload() instanceof CustomerDeleted)) {
            return;
        }
        // A deleted customer's read-model rows go; the events stay in the event store for audit.
        DeletedCustomers.record(tx, event.getCustomerId(), event.getOccurredAt());
        Sql.execute(tx, "DELETE FROM usage_daily WHERE customer_id = ?", event.getCustomerId());
        Sql.execute(tx, "DELETE FROM usage_document WHERE customer_id = ?", event.getCustomerId());
    }

    private static void document(Connection tx, DocumentEvent event) throws SQLException {
        if (event == null || DeletedCustomers.contains(tx, event.getCustomerId()) || alreadyApplied(tx, event)) {
            return;
        }
        Map<String, Long> day = new LinkedHashMap<>();
        Map<String, Long> document = new LinkedHashMap<>();
        String title = null;
        switch (event.getPayload()) {
            case DocumentVersionUploaded uploaded -> {
                day.put("documents_uploaded", 1L);
                day.put("bytes", uploaded.getBytes());
                document.put("versions", 1L);
                document.put("bytes", uploaded.getBytes());
                title = uploaded.getTitle();
            }
            case DocumentVersionIndexed indexed -> {
                IndexingStats stats = IndexingStatsAvro.fromIndexedEvent(indexed);
                Map<String, Long> metrics = Map.of(
                        "chunks", (long) stats.chunks(),
                        "embedded_tokens", stats.embeddedTokens(),
                        "reused_tokens", stats.tokens() - stats.embeddedTokens(),
                        "metered_tokens", stats.meteredTokens(),
                        "cost_micro_usd", stats.costMicroUsd());
                day.put("documents_indexed", 1L);
                day.put("pages", (long) stats.pages());
                day.putAll(metrics);
                document.put("indexed_versions", 1L);
                document.putAll(metrics);
            }
            case DocumentVersionFailed failed -> day.put("documents_failed", 1L);
            case DocumentDeleted deleted -> day.put("documents_deleted", 1L);
            default -> {
            }
        }
        if (!day.isEmpty()) {
            addToDay(tx, event.getCustomerId(), event.getOccurredAt(), day);
        }
        addToDocument(tx, event, title, document, event.getPayload() instanceof DocumentDeleted);
    }

    private static boolean alreadyApplied(Connection tx, DocumentEvent event) throws SQLException {
        try (PreparedStatement query = tx.prepareStatement(
                "SELECT last_sequence FROM usage_document WHERE document_id = ?")) {
            query.setString(1, event.getDocumentId());
            try (ResultSet row = query.executeQuery()) {
                return row.next() && row.getLong(1) >= event.getSequenceNumber();
            }
        }
    }

    private static void addToDay(Connection tx, String customerId, Instant at, Map<String, Long> deltas)
            throws SQLException {
        String columns = String.join(", ", deltas.keySet());
        String values = deltas.keySet().stream().map(c -> "?").collect(Collectors.joining(", "));
        String updates = deltas.keySet().stream().map(c -> c + " = usage_daily." + c + " + EXCLUDED." + c)
                .collect(Collectors.joining(", "));
        Object[] parameters = new Object[deltas.size() + 2];
        parameters[0] = customerId;
        parameters[1] = Date.valueOf(at.atZone(ZoneOffset.UTC).toLocalDate());
        int i = 2;
        for (Long delta : deltas.values()) {
            parameters[i++] = delta;
        }
        Sql.execute(tx, "INSERT INTO usage_daily (customer_id, day, " + columns + ") VALUES (?, ?, " + values + ") "
                + "ON CONFLICT (customer_id, day) DO UPDATE SET " + updates, parameters);
    }

    private static void addToDocument(Connection tx, DocumentEvent event, String title, Map<String, Long> deltas,
                                      boolean deleted) throws SQLException {
        String columns = deltas.keySet().stream().map(c -> ", " + c).collect(Collectors.joining());
        String values = deltas.keySet().stream().map(c -> ", ?").collect(Collectors.joining());
        String updates = deltas.keySet().stream().map(c -> ", " + c + " = usage_document." + c + " + EXCLUDED." + c)
                .collect(Collectors.joining());
        Object[] parameters = new Object[6 + deltas.size()];
        parameters[0] = event.getDocumentId();
        parameters[1] = event.getCustomerId();
        parameters[2] = title == null ? "" : title;
        parameters[3] = deleted;
        parameters[4] = event.getSequenceNumber();
        parameters[5] = Timestamp.from(event.getOccurredAt());
        int i = 6;
        for (Long delta : deltas.values()) {
            parameters[i++] = delta;
        }
        Sql.execute(tx, "INSERT INTO usage_document (document_id, customer_id, title, deleted, last_sequence, updated_at"
                + columns + ") VALUES (?, ?, ?, ?, ?, ?" + values + ") ON CONFLICT (document_id) DO UPDATE SET "
                + "title = CASE WHEN EXCLUDED.title = '' THEN usage_document.title ELSE EXCLUDED.title END, "
                + "deleted = usage_document.deleted OR EXCLUDED.deleted, last_sequence = EXCLUDED.last_sequence, "
                + "updated_at = EXCLUDED.updated_at" + updates, parameters);
    }
}
