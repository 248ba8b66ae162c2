package io.dynrag.projections.usage;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Queries of the usage read model; customer queries are always scoped by tenant. */
public final class UsageCatalog {

    static final String COUNTERS = """
            sum(documents_uploaded), sum(documents_indexed), sum(documents_failed), sum(documents_deleted),
            sum(bytes), sum(pages), sum(chunks), sum(embedded_tokens), sum(reused_tokens), sum(metered_tokens),
            sum(cost_micro_usd), sum(search_queries), sum(api_calls), sum(reranked_searches),
            sum(reranked_documents), sum(rerank_tokens), sum(rerank_cost_micro_usd)""";

    private final DataSource dataSource;

    public UsageCatalog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public enum Granularity { DAY, MONTH }

    /**
     * What was used in one period (a day, a month, or the whole range).
     *
     * @param costMicroUsd       what embedding cost
     * @param rerankCostMicroUsd what reranked searches cost
     */
    public record Counters(long documentsUploaded, long documentsIndexed, long documentsFailed,
                           long documentsDeleted, long bytes, long pages, long chunks, long embeddedTokens,
                           long reusedTokens, long meteredTokens, long costMicroUsd, long searchQueries,
                           long apiCalls, long rerankedSearches, long rerankedDocuments, long rerankTokens,
                           long rerankCostMicroUsd) {
    }

    public record Period(LocalDate start, Counters counters) {
    }

    public record DocumentUsage(String documentId, String title, int versions, int indexedVersions, long bytes,
                                long chunks, long embeddedTokens, long reusedTokens, long meteredTokens,
                                long costMicroUsd, boolean deleted) {
    }

    public record CustomerUsage(String customerId, Counters counters) {
    }

    /** Periods with any usage in [from, to], oldest first. */
    public List<Period> usage(String customerId, LocalDate from, LocalDate to, Granularity granularity) {
        String period = granularity == Granularity.DAY ? "day" : "CAST(date_trunc('month', day) AS DATE)";
        return query("SELECT " + period + " AS period, " + COUNTERS + " FROM usage_daily "
                        + "WHERE customer_id = ? AND day BETWEEN ? AND ? GROUP BY period ORDER BY period",
                row -> new Period(row.getDate(1).toLocalDate(), counters(row, 2)),
                customerId, Date.valueOf(from), Date.valueOf(to));
    }

    /** The customer's documents, the most expensive first. */
    public List<DocumentUsage> documents(String customerId, int limit) {
        return query("""
                        SELECT document_id, title, versions, indexed_versions, bytes, chunks, embedded_tokens,
                               reused_tokens, metered_tokens, cost_micro_usd, deleted
                        FROM usage_document WHERE customer_id = ?
                        ORDER BY cost_micro_usd DESC, embedded_tokens DESC, document_id LIMIT ?""",
                row -> new DocumentUsage(row.getString(1), row.getString(2), row.getInt(3), row.getInt(4),
                        row.getLong(5), row.getLong(6), row.getLong(7), row.getLong(8), row.getLong(9),
                        row.getLong(10), row.getBoolean(11)),
                customerId, limit);
    }

    /** Every customer's usage in [from, to], the largest consumers (by cost, then tokens) first. */
    public List<CustomerUsage> topConsumers(LocalDate from, LocalDate to, int limit) {
        return query("SELECT customer_id, " + COUNTERS + " FROM usage_daily WHERE day BETWEEN ? AND ? "
                        + "GROUP BY customer_id ORDER BY sum(cost_micro_usd) + sum(rerank_cost_micro_usd) DESC, "
                        + "sum(embedded_tokens) DESC, "
                        + "sum(api_calls) DESC, customer_id LIMIT ?",
                row -> new CustomerUsage(row.getString(1), counters(row, 2)),
                Date.valueOf(from), Date.valueOf(to), limit);
    }

    /** All customers together in [from, to]. */
    public Counters total(LocalDate from, LocalDate to) {
        return query("SELECT " + COUNTERS + " FROM usage_daily WHERE day BETWEEN ? AND ?",
                row -> counters(row, 1), Date.valueOf(from), Date.valueOf(to)).getFirst();
    }

    /** The customer's usage in [from, to]. */
    public Counters total(String customerId, LocalDate from, LocalDate to) {
        return query("SELECT " + COUNTERS + " FROM usage_daily WHERE customer_id = ? AND day BETWEEN ? AND ?",
                row -> counters(row, 1), customerId, Date.valueOf(from), Date.valueOf(to)).getFirst();
    }

    /** The customer's documents by their latest status (from the documents catalogue). */
    public Map<String, Long> documentsByStatus(String customerId) {
        Map<String, Long> byStatus = new LinkedHashMap<>();
        query("SELECT status, count(*) FROM document WHERE customer_id = ? GROUP BY status ORDER BY status",
                row -> byStatus.put(row.getString(1), row.getLong(2)), customerId);
        return byStatus;
    }

    private static Counters counters(ResultSet row, int first) throws SQLException {
        long[] values = new long[17];
        for (int i = 0; i < values.length; i++) {
            values[i] = row.getLong(first + i);
        }
        return new Counters(values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7],
                values[8], values[9], values[10], values[11], values[12], values[13], values[14], values[15],
                values[16]);
    }

    private interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    private <T> List<T> query(String sql, RowMapper<T> mapper, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            List<T> rows = new ArrayList<>();
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    rows.add(mapper.map(row));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the usage read model", e);
        }
    }
}
