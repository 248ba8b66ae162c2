package io.dynrag.projections.document;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.domain.document.DocumentQuery;
import io.dynrag.domain.document.IndexingStats;
import io.dynrag.domain.document.filter.DocumentFilter;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Queries of the documents catalogue, always scoped by tenant. */
public final class DocumentCatalog {

    private static final String METRICS = """
            chunks, tokens, embedded_tokens, reused_chunks, characters, pages, metered_tokens, cost_micro_usd,
            lance_version, model, failure_reason, metadata::text AS metadata, updated_at""";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;

    public DocumentCatalog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<DocumentRow> find(String customerId, String documentId) {
        return query("SELECT document_id, customer_id, title, content_type, bytes, version, status, " + METRICS
                + ", NULL AS stage_millis, created_at FROM document WHERE customer_id = ? AND document_id = ?",
                customerId, documentId).stream().findFirst();
    }

    /** Every version of the document, oldest first; empty for an unknown or foreign document. */
    public List<DocumentRow> versions(String customerId, String documentId) {
        return query("SELECT document_id, customer_id, title, content_type, bytes, version, status, " + METRICS
                + ", stage_millis, uploaded_at AS created_at FROM document_version WHERE customer_id = ? AND document_id = ? ORDER BY version",
                customerId, documentId);
    }

    /** One page of the customer's documents, in the query's order ({@link DocumentQuery}). */
    public List<DocumentRow> list(DocumentQuery query) {
        return page(query, null);
    }

    /**
     * The page {@code query} selects among the customer's documents as they were at {@code asOf} (inclusive), from
     * the history; exact for instants within the customer's {@link #historySpan}.
     */
    public List<DocumentRow> listAsOf(DocumentQuery query, Instant asOf) {
        return page(query, asOf);
    }

    /** Ids of the customer's documents, deleted ones aside, that the filter keeps; in one query. */
    public Set<String> matching(String customerId, DocumentFilter filter) {
        return kept(customerId, filter, null);
    }

    /** {@link #matching} among the documents as they were at {@code asOf} (inclusive), as {@link #listAsOf}. */
    public Set<String> matchingAsOf(String customerId, DocumentFilter filter, Instant asOf) {
        return kept(customerId, filter, asOf);
    }

    /**
     * How far the customer's history reaches: it holds every state from {@code completeFrom} ({@link Instant#MIN}
     * when from the first event) and has applied the events until {@code appliedUntil}, the time of the latest one.
     */
    public record HistorySpan(Instant completeFrom, Instant appliedUntil) {
    }

    /** Empty while no event of the customer's documents has been applied. */
    public Optional<HistorySpan> historySpan(String customerId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT complete_from, applied_until FROM document_history_span WHERE customer_id = ?")) {
            query.setString(1, customerId);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                Timestamp completeFrom = row.getTimestamp(1);
                return Optional.of(new HistorySpan(completeFrom == null ? Instant.MIN : completeFrom.toInstant(),
                        row.getTimestamp(2).toInstant()));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the documents catalogue", e);
        }
    }

    private List<DocumentRow> page(DocumentQuery query, Instant asOf) {
        DocumentListSql sql = DocumentListSql.of(query, asOf);
        return query("SELECT document_id, customer_id, title, content_type, bytes, version, status, " + METRICS
                + ", NULL AS stage_millis, created_at" + sql.fromWhere(), sql.parameters());
    }

    private Set<String> kept(String customerId, DocumentFilter filter, Instant asOf) {
        List<Object> parameters = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT document_id FROM ")
                .append(DocumentListSql.rowsOf(customerId, asOf, parameters))
                .append(" AND status <> 'DELETED' AND ");
        DocumentFilterSql.append(filter, sql, parameters);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
                query.setObject(i + 1, parameters.get(i));
            }
            Set<String> ids = new HashSet<>();
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    ids.add(row.getString(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the documents catalogue", e);
        }
    }

    /** The customer's documents among {@code documentIds}, in one query; unknown and foreign ones are absent. */
    public List<DocumentRow> findAll(String customerId, Collection<String> documentIds) {
        if (documentIds.isEmpty()) {
            return List.of();
        }
        return query("SELECT document_id, customer_id, title, content_type, bytes, version, status, " + METRICS
                        + ", NULL AS stage_millis, created_at FROM document WHERE customer_id = ? "
                        + "AND document_id IN (SELECT jsonb_array_elements_text(CAST(? AS JSONB)))",
                customerId, json(List.copyOf(documentIds)));
    }

    private static String json(List<String> values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write document ids", e);
        }
    }

    private List<DocumentRow> query(String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setObject(i + 1, parameters[i]);
            }
            List<DocumentRow> rows = new ArrayList<>();
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    rows.add(row(row));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the documents catalogue", e);
        }
    }

    private static DocumentRow row(ResultSet row) throws SQLException {
        return new DocumentRow(row.getString("document_id"), row.getString("customer_id"), row.getString("title"),
                MetadataJson.read(row.getString("metadata")), row.getString("content_type"), row.getLong("bytes"),
                row.getInt("version"), row.getString("status"), stats(row), row.getString("failure_reason"),
                row.getTimestamp("created_at").toInstant(), row.getTimestamp("updated_at").toInstant());
    }

    /**
     * The metrics are written together when a version is indexed, so a row without chunks has none. A
     * column added after its row was written reads as 0, as the statistics of events written before it
     * existed do.
     */
    private static IndexingStats stats(ResultSet row) throws SQLException {
        if (row.getObject("chunks") == null) {
            return null;
        }
        return new IndexingStats(row.getInt("chunks"), row.getLong("tokens"), row.getLong("embedded_tokens"),
                row.getInt("reused_chunks"), row.getLong("lance_version"), row.getString("model"),
                stageMillis(row.getString("stage_millis")), row.getLong("characters"), row.getInt("pages"),
                row.getLong("metered_tokens"), row.getLong("cost_micro_usd"));
    }

    private static Map<String, Long> stageMillis(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<Map<String, Long>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable stage timings in the documents catalogue", e);
        }
    }
}
