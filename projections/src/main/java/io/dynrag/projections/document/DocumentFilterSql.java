package io.dynrag.projections.document;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.domain.document.DocumentMetadata;
import io.dynrag.domain.document.filter.DocumentFilter;
import io.dynrag.domain.document.filter.DocumentFilter.Bound;
import io.dynrag.domain.document.filter.DocumentFilter.FilterField;
import io.dynrag.domain.document.filter.DocumentFilter.Scalar;

import java.sql.Timestamp;
import java.util.List;

/**
 * A {@link DocumentFilter} as a condition on the {@code document} table, keeping exactly the documents
 * {@link DocumentFilter#matches} keeps. Every value is a parameter; every condition is TRUE or FALSE, never NULL
 * (a missing metadata key reads as NULL), so NOT and OR mean what they say. Lists of values travel as one JSON
 * array parameter, so a filter's parameters stay few however many values its {@code $in}s hold.
 */
final class DocumentFilterSql {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final StringBuilder sql;
    private final List<Object> parameters;

    private DocumentFilterSql(StringBuilder sql, List<Object> parameters) {
        this.sql = sql;
        this.parameters = parameters;
    }

    /** Appends the filter's condition to {@code sql} and its values to {@code parameters}. */
    static void append(DocumentFilter filter, StringBuilder sql, List<Object> parameters) {
        new DocumentFilterSql(sql, parameters).condition(filter);
    }

    private void condition(DocumentFilter filter) {
        switch (filter) {
            case DocumentFilter.And and -> all(and.parts(), " AND ", "TRUE");
            case DocumentFilter.Or or -> all(or.parts(), " OR ", "FALSE");
            case DocumentFilter.In in -> {
                if (in.negated()) {
                    sql.append("NOT ");
                }
                in(in);
            }
            case DocumentFilter.Range range -> range(range);
            case DocumentFilter.Exists exists -> {
                sql.append(exists.exists() ? "" : "NOT ").append("jsonb_exists(metadata, ?)");
                parameters.add(exists.metadataKey());
            }
        }
    }

    private void all(List<DocumentFilter> parts, String operator, String whenEmpty) {
        if (parts.isEmpty()) {
            sql.append(whenEmpty);
            return;
        }
        sql.append('(');
        for (int i = 0; i < parts.size(); i++) {
            sql.append(i == 0 ? "" : operator);
            condition(parts.get(i));
        }
        sql.append(')');
    }

    private void in(DocumentFilter.In in) {
        List<Object> values = in.values().stream().map(DocumentFilterSql::json).toList();
        switch (in.field()) {
            case FilterField.Document field -> {
                sql.append(column(field)).append(" IN (SELECT jsonb_array_elements_text(CAST(? AS JSONB)))");
                parameters.add(json(values));
            }
            case FilterField.Metadata metadata -> {
                // The terms overlap is the index's way in and keeps a superset (2024 and "2024" share a term);
                // containment then decides: a value of the same type and equal (numbers by value), or a list
                // holding it.
                List<String> terms = in.values().stream().flatMap(value -> DocumentMetadata.termsMatching(
                        metadata.key(), text(value)).stream()).distinct().toList();
                sql.append("(metadata_terms && ARRAY(SELECT jsonb_array_elements_text(CAST(? AS JSONB))) AND EXISTS ("
                        + "SELECT 1 FROM jsonb_array_elements(CAST(? AS JSONB)) v WHERE metadata -> ? @> v))");
                parameters.add(json(terms));
                parameters.add(json(values));
                parameters.add(metadata.key());
            }
        }
    }

    private void range(DocumentFilter.Range range) {
        String comparison = range.comparison().sql();
        switch (range.field()) {
            case FilterField.Document field -> {
                sql.append(column(field)).append(' ').append(comparison).append(" ?");
                parameters.add(Timestamp.from(((Bound.Moment) range.bound()).value()));
            }
            case FilterField.Metadata metadata -> {
                switch (range.bound()) {
                    // CASE, not AND: only CASE makes PostgreSQL check the type before it casts.
                    case Bound.Number number -> {
                        sql.append("CASE WHEN jsonb_typeof(metadata -> ?) = 'number' THEN CAST(metadata -> ? AS NUMERIC) ")
                                .append(comparison).append(" ? ELSE FALSE END");
                        parameters.add(metadata.key());
                        parameters.add(metadata.key());
                        parameters.add(number.value());
                    }
                    case Bound.Moment moment -> {
                        sql.append("COALESCE(CAST(metadata_instants -> ? AS NUMERIC) ").append(comparison)
                                .append(" ?, FALSE)");
                        parameters.add(metadata.key());
                        parameters.add(MetadataJson.nanos(moment.value()));
                    }
                }
            }
        }
    }

    private static String column(FilterField.Document field) {
        return switch (field) {
            case DOCUMENT_ID -> "document_id";
            case CONTENT_TYPE -> "content_type";
            case TITLE -> "title";
            case CREATED_AT -> "created_at";
            case UPDATED_AT -> "updated_at";
        };
    }

    private static Object json(Scalar scalar) {
        return switch (scalar) {
            case Scalar.Text text -> text.value();
            case Scalar.Number number -> number.value();
            case Scalar.Bool bool -> bool.value();
        };
    }

    /** A value as {@link DocumentMetadata#terms} writes it. */
    private static String text(Scalar scalar) {
        return scalar instanceof Scalar.Number number ? number.value().stripTrailingZeros().toPlainString()
                : String.valueOf(json(scalar));
    }

    private static String json(List<?> values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write filter values", e);
        }
    }
}
