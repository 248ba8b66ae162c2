package io.dynrag.api.audit;

import io.dynrag.domain.customer.CustomerDeleted;
import io.dynrag.platform.persistence.Statements;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.eventhandling.EventHandler;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The tool-call log: every MCP tool call of each customer, in PostgreSQL beside the event store (reads change
 * nothing, so they are no events). Its rows go with their customer: a subscribing event handler deletes them in
 * the transaction that records {@link CustomerDeleted}. Rows older than the retention are pruned.
 */
public final class ToolCallLog {

    public static final String PROCESSING_GROUP = "tool-call-log";
    /** More than a page of the list tool or hits of a search name: the rest of a longer list is not kept. */
    static final int MAX_DOCUMENT_IDS = 200;

    private final Statements statements;

    public ToolCallLog(ConnectionProvider connections) {
        this.statements = new Statements(connections, "tool-call log");
    }

    /** The page and, when more calls follow, the cursor to the next one. */
    record Page(List<ToolCall> calls, Optional<String> nextCursor) {
    }

    /** @throws io.dynrag.platform.persistence.DatabaseException when the call could not be kept */
    public void record(ToolCall call) {
        List<String> documentIds = call.documentIds().stream().distinct().limit(MAX_DOCUMENT_IDS).toList();
        statements.update("""
                INSERT INTO mcp_tool_call (customer_id, called_at, actor, correlation_id, tool, status, reason,
                                           document_ids, result_count)
                VALUES (?, ?, ?, ?, ?, ?, ?, string_to_array(?, ','), ?)""",
                call.customerId(), Timestamp.from(call.time()), call.actor(), call.correlationId(), call.tool(),
                call.status(), call.reason(), String.join(",", documentIds), call.resultCount());
    }

    Page page(ToolCallQuery query) {
        StringBuilder sql = new StringBuilder("""
                SELECT call_id, customer_id, called_at, actor, correlation_id, tool, status, reason, document_ids,
                       result_count
                FROM mcp_tool_call
                WHERE call_id > ?""");
        List<Object> parameters = new ArrayList<>(List.of(query.after()));
        query.customerId().ifPresent(customerId -> {
            sql.append(" AND customer_id = ?");
            parameters.add(customerId);
        });
        query.tool().ifPresent(tool -> {
            sql.append(" AND tool = ?");
            parameters.add(tool);
        });
        query.from().ifPresent(from -> {
            sql.append(" AND called_at >= ?");
            parameters.add(Timestamp.from(from));
        });
        query.to().ifPresent(to -> {
            sql.append(" AND called_at < ?");
            parameters.add(Timestamp.from(to));
        });
        sql.append(" ORDER BY call_id LIMIT ?");
        // One more than asked tells whether another page follows.
        parameters.add(query.limit() + 1);

        List<Row> rows = statements.query(ToolCallLog::row, sql.toString(), parameters.toArray());
        boolean more = rows.size() > query.limit();
        List<Row> page = more ? rows.subList(0, query.limit()) : rows;
        return new Page(page.stream().map(Row::call).toList(),
                more ? Optional.of(AuditCursor.after(page.getLast().callId())) : Optional.empty());
    }

    /** @return how many calls made before {@code cutoff} were deleted */
    public int deleteBefore(Instant cutoff) {
        return statements.update("DELETE FROM mcp_tool_call WHERE called_at < ?", Timestamp.from(cutoff));
    }

    @EventHandler
    void on(CustomerDeleted event) {
        statements.update("DELETE FROM mcp_tool_call WHERE customer_id = ?", event.customerId());
    }

    private record Row(long callId, ToolCall call) {
    }

    private static Row row(ResultSet row) throws SQLException {
        int status = row.getInt("status");
        Array documentIds = row.getArray("document_ids");
        return new Row(row.getLong("call_id"), new ToolCall(
                row.getString("customer_id"),
                row.getTimestamp("called_at").toInstant(),
                row.getString("tool"),
                row.getString("actor"),
                row.getString("correlation_id"),
                row.getString("reason") == null ? ToolCall.OK : ToolCall.REFUSED,
                status,
                row.getString("reason"),
                Arrays.asList((String[]) documentIds.getArray()),
                (Integer) row.getObject("result_count")));
    }
}
