package io.dynrag.projections.document;

import io.dynrag.domain.document.DocumentMetadata;
import io.dynrag.domain.document.DocumentQuery;
import io.dynrag.domain.document.filter.DocumentFilter;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * The SQL of one page of the document list: the filters, then keyset pagination in the page's order
 * ({@code (sort column, document_id)} after the previous page's last row), which the indexes of
 * {@code V6__document_list.sql} serve without counting or skipping rows. Over the documents as they are, or as they
 * were at an instant: the states of {@code document_history} valid then, which have the same columns and indexes.
 */
final class DocumentListSql {

    private final List<Object> parameters = new ArrayList<>();
    private final StringBuilder where;

    private DocumentListSql(String customerId, Instant asOf) {
        where = new StringBuilder(rowsOf(customerId, asOf, parameters));
    }

    /**
     * The table and the condition that keep the customer's documents: as they are now ({@code asOf} null), or the
     * state each was in at {@code asOf} (inclusive), the first of {@code parameters} appended.
     */
    static String rowsOf(String customerId, Instant asOf, List<Object> parameters) {
        parameters.add(customerId);
        if (asOf == null) {
            return "document WHERE customer_id = ?";
        }
        // PostgreSQL keeps microseconds and would round the nanoseconds of an instant, perhaps up onto an event.
        Timestamp at = Timestamp.from(asOf.truncatedTo(ChronoUnit.MICROS));
        parameters.addAll(List.of(at, at, at));
        // updated_at equals valid_from (V9 checks it); bounding it too lets its index start the scan at the instant.
        return "document_history WHERE customer_id = ? AND valid_from <= ? AND updated_at <= ? "
                + "AND (valid_to IS NULL OR valid_to > ?)";
    }

    /** The select list is the caller's; what follows FROM is built here. {@code asOf}: see {@link #rowsOf}. */
    static DocumentListSql of(DocumentQuery query, Instant asOf) {
        DocumentListSql sql = new DocumentListSql(query.customerId(), asOf);
        if (query.statuses().isEmpty()) {
            sql.where.append(" AND status <> 'DELETED'");
        } else {
            sql.in("status", query.statuses());
        }
        if (!query.contentTypes().isEmpty()) {
            sql.in("content_type", query.contentTypes());
        }
        sql.bound("created_at >= ?", query.createdFrom());
        sql.bound("created_at < ?", query.createdTo());
        sql.bound("updated_at >= ?", query.updatedFrom());
        sql.bound("updated_at < ?", query.updatedTo());
        if (query.titlePrefix() != null) {
            sql.where.append(" AND starts_with(title, ?)");
            sql.parameters.add(query.titlePrefix());
        }
        query.metadata().forEach(sql::metadata);
        if (!query.filter().equals(DocumentFilter.EVERYTHING)) {
            sql.where.append(" AND ");
            DocumentFilterSql.append(query.filter(), sql.where, sql.parameters);
        }
        String column = switch (query.sort()) {
            case UPDATED_AT -> "updated_at";
            case CREATED_AT -> "created_at";
            case TITLE -> "title";
        };
        String direction = query.descending() ? "DESC" : "ASC";
        if (query.after() != null) {
            sql.where.append(" AND (").append(column).append(", document_id) ").append(query.descending() ? "<" : ">")
                    .append(" (?, ?)");
            sql.parameters.add(query.sort() == DocumentQuery.Sort.TITLE ? query.after().sortValue()
                    : Timestamp.from(Instant.parse(query.after().sortValue())));
            sql.parameters.add(query.after().documentId());
        }
        sql.where.append(" ORDER BY ").append(column).append(' ').append(direction).append(", document_id ")
                .append(direction).append(" LIMIT ?");
        sql.parameters.add(query.limit());
        return sql;
    }

    String fromWhere() {
        return " FROM " + where;
    }

    Object[] parameters() {
        return parameters.toArray();
    }

    private void in(String column, Collection<String> values) {
        where.append(" AND ").append(column).append(" IN (")
                .append(String.join(", ", Collections.nCopies(values.size(), "?"))).append(')');
        parameters.addAll(values.stream().sorted().toList());
    }

    private void bound(String condition, Instant instant) {
        if (instant != null) {
            where.append(" AND ").append(condition);
            parameters.add(Timestamp.from(instant));
        }
    }

    /** Any of the values, as {@link DocumentMetadata#terms} writes them. */
    private void metadata(String key, List<String> values) {
        List<String> terms = values.stream().flatMap(value -> DocumentMetadata.termsMatching(key, value).stream())
                .distinct().toList();
        where.append(" AND metadata_terms && ARRAY[").append(String.join(", ", Collections.nCopies(terms.size(), "?")))
                .append("]::TEXT[]");
        parameters.addAll(terms);
    }

}
