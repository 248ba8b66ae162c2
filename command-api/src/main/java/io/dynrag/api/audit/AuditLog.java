package io.dynrag.api.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.platform.http.Json;
import io.dynrag.platform.origin.OriginMetadata;
import io.dynrag.platform.persistence.Statements;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.common.jdbc.ConnectionProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the audit trail straight from the event store, in global order. Plain reads: they take no
 * lock the event store's writers or the publisher wait on. A customer's events are those of its
 * own aggregate and of every document {@code document_state} says it owns; each aggregate is found
 * by the (aggregate_identifier, sequence_number) index.
 */
public final class AuditLog {

    /**
     * Axon stores times as fixed-width UTC text with milliseconds, which sorts like the instants;
     * years past 9999 would not, and no event has one.
     */
    private static final Instant LATEST_STORABLE = Instant.parse("9999-12-31T23:59:59.999Z");

    private final Statements statements;
    private final AuditPayloads payloads = new AuditPayloads();
    private final ObjectMapper metadata = Json.eventMapper();

    public AuditLog(ConnectionProvider connections) {
        this.statements = new Statements(connections, "event store");
    }

    /** The page and, when more events follow, the cursor to the next one. */
    record Page(List<AuditEvent> events, Optional<String> nextCursor) {
    }

    Page page(AuditQuery query) {
        StringBuilder sql = new StringBuilder("""
                SELECT global_index, event_identifier, time_stamp, type, aggregate_identifier, sequence_number,
                       payload_type, payload, meta_data
                FROM domain_event_entry
                WHERE global_index > ?""");
        List<Object> parameters = new ArrayList<>(List.of(query.after()));
        if (query.documentId().isPresent()) {
            sql.append(" AND aggregate_identifier = ?");
            parameters.add(query.documentId().get());
        } else if (query.customerId().isPresent()) {
            sql.append(" AND aggregate_identifier IN (SELECT document_id FROM document_state WHERE customer_id = ?"
                    + " UNION ALL SELECT CAST(? AS VARCHAR))");
            parameters.add(query.customerId().get());
            parameters.add(query.customerId().get());
        }
        query.from().ifPresent(from -> {
            sql.append(" AND time_stamp >= ?");
            parameters.add(storedTime(from));
        });
        query.to().ifPresent(to -> {
            sql.append(" AND time_stamp < ?");
            parameters.add(storedTime(to));
        });
        sql.append(" ORDER BY global_index LIMIT ?");
        // One more than asked tells whether another page follows.
        parameters.add(query.limit() + 1);

        List<Row> rows = statements.query(this::row, sql.toString(), parameters.toArray());
        boolean more = rows.size() > query.limit();
        List<Row> page = more ? rows.subList(0, query.limit()) : rows;
        return new Page(page.stream().map(Row::event).toList(),
                more ? Optional.of(AuditCursor.after(page.getLast().globalIndex())) : Optional.empty());
    }

    /**
     * Stored times have whole milliseconds, so "at or after {@code t}" and "before {@code t}" both
     * hold for a stored time exactly when they hold for {@code t} rounded up to a millisecond.
     */
    private static String storedTime(Instant instant) {
        Instant rounded = instant.truncatedTo(ChronoUnit.MILLIS);
        if (rounded.isBefore(instant)) {
            rounded = rounded.plusMillis(1);
        }
        return DateTimeUtils.formatInstant(rounded.isAfter(LATEST_STORABLE) ? LATEST_STORABLE : rounded);
    }

    private record Row(long globalIndex, AuditEvent event) {
    }

    private Row row(ResultSet row) throws SQLException {
        JsonNode meta = metadata(row.getBytes("meta_data"));
        String payloadType = row.getString("payload_type");
        return new Row(row.getLong("global_index"), new AuditEvent(
                row.getString("event_identifier"),
                AuditPayloads.typeName(payloadType),
                DateTimeUtils.parseInstant(row.getString("time_stamp")),
                row.getString("type"),
                row.getString("aggregate_identifier"),
                row.getLong("sequence_number"),
                meta.path(OriginMetadata.ACTOR).textValue(),
                meta.path(OriginMetadata.CORRELATION_ID).textValue(),
                payloads.shown(payloadType, row.getBytes("payload"))));
    }

    private JsonNode metadata(byte[] stored) {
        if (stored == null) {
            return metadata.createObjectNode();
        }
        try {
            return metadata.readTree(stored);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read stored event metadata", e);
        }
    }
}
