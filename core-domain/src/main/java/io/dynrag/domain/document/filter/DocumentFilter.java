package io.dynrag.domain.document.filter;

import io.dynrag.domain.document.DocumentMetadata;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which documents a search (or a list) keeps, as {@link FilterParser} reads it from a request: conditions on a
 * document's fields and metadata, combined with and/or. {@link #matches} is the meaning; the read model's SQL
 * translation must keep exactly the documents it keeps.
 */
public sealed interface DocumentFilter {

    /** The filter that keeps every document. */
    DocumentFilter EVERYTHING = new And(List.of());

    boolean matches(FilteredDocument document);

    /** Every part holds; no parts keep everything. */
    record And(List<DocumentFilter> parts) implements DocumentFilter {
        public And {
            parts = List.copyOf(parts);
        }

        @Override
        public boolean matches(FilteredDocument document) {
            return parts.stream().allMatch(part -> part.matches(document));
        }
    }

    /** At least one part holds. */
    record Or(List<DocumentFilter> parts) implements DocumentFilter {
        public Or {
            parts = List.copyOf(parts);
        }

        @Override
        public boolean matches(FilteredDocument document) {
            return parts.stream().anyMatch(part -> part.matches(document));
        }
    }

    /**
     * {@code $eq}/{@code $in} and, negated, {@code $ne}/{@code $nin}: the field equals one of the values; a metadata
     * list equals a value it contains. Negated, it also keeps documents without the field.
     */
    record In(FilterField field, List<Scalar> values, boolean negated) implements DocumentFilter {
        public In {
            Objects.requireNonNull(field, "field");
            values = List.copyOf(values);
        }

        @Override
        public boolean matches(FilteredDocument document) {
            Object value = field.valueOf(document);
            boolean equal = values.stream().anyMatch(scalar -> scalar.equalsValue(value)
                    || value instanceof List<?> list && list.stream().anyMatch(scalar::equalsValue));
            return equal != negated;
        }
    }

    /**
     * {@code $gt $gte $lt $lte}: a number compared with metadata numbers, an instant with metadata dates and the
     * document's times. Values of another kind never match.
     */
    record Range(FilterField field, Comparison comparison, Bound bound) implements DocumentFilter {
        public Range {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(comparison, "comparison");
            Objects.requireNonNull(bound, "bound");
        }

        @Override
        public boolean matches(FilteredDocument document) {
            Object value = field.valueOf(document);
            Optional<Integer> order = switch (bound) {
                case Bound.Number number -> value instanceof Number n
                        ? Optional.of(Scalar.decimal(n).compareTo(number.value())) : Optional.empty();
                case Bound.Moment moment -> switch (value) {
                    case Instant instant -> Optional.of(instant.compareTo(moment.value()));
                    case String text -> DocumentMetadata.instant(text).map(at -> at.compareTo(moment.value()));
                    case null, default -> Optional.empty();
                };
            };
            return order.map(comparison::holds).orElse(false);
        }
    }

    /** {@code $exists}: whether the document's metadata has the key. */
    record Exists(String metadataKey, boolean exists) implements DocumentFilter {
        public Exists {
            Objects.requireNonNull(metadataKey, "metadataKey");
        }

        @Override
        public boolean matches(FilteredDocument document) {
            return document.metadata().containsKey(metadataKey) == exists;
        }
    }

    /** How a range compares a value with its bound. */
    enum Comparison {
        GT("$gt", ">"), GTE("$gte", ">="), LT("$lt", "<"), LTE("$lte", "<=");

        private final String operator;
        private final String sql;

        Comparison(String operator, String sql) {
            this.operator = operator;
            this.sql = sql;
        }

        public String operator() {
            return operator;
        }

        /** The SQL comparison operator, value on the left. */
        public String sql() {
            return sql;
        }

        /** Whether a value that compares with the bound as {@code order} (negative: below it) is kept. */
        public boolean holds(int order) {
            return switch (this) {
                case GT -> order > 0;
                case GTE -> order >= 0;
                case LT -> order < 0;
                case LTE -> order <= 0;
            };
        }
    }

    /** What a range compares with. */
    sealed interface Bound {
        record Number(BigDecimal value) implements Bound {
        }

        record Moment(Instant value) implements Bound {
        }
    }

    /** A value an equality compares with: JSON's string, number or boolean. */
    sealed interface Scalar {

        /** Whether a document's value (a metadata value, or a field's text) is this one; numbers by value. */
        boolean equalsValue(Object value);

        record Text(String value) implements Scalar {
            @Override
            public boolean equalsValue(Object other) {
                return value.equals(other);
            }
        }

        record Number(BigDecimal value) implements Scalar {
            @Override
            public boolean equalsValue(Object other) {
                return other instanceof java.lang.Number n && decimal(n).compareTo(value) == 0;
            }
        }

        record Bool(boolean value) implements Scalar {
            @Override
            public boolean equalsValue(Object other) {
                return other instanceof Boolean b && b == value;
            }
        }

        /** A JSON number as an exact decimal, so 1 and 1.0 are the same number. */
        static BigDecimal decimal(java.lang.Number number) {
            return number instanceof BigDecimal decimal ? decimal : new BigDecimal(number.toString());
        }
    }

    /** What a condition is about: a metadata key, or one of the document's own fields. */
    sealed interface FilterField {

        /** The document's value of the field; null when it has none. */
        Object valueOf(FilteredDocument document);

        record Metadata(String key) implements FilterField {
            @Override
            public Object valueOf(FilteredDocument document) {
                return document.metadata().get(key);
            }
        }

        /** The document's own fields, by their names in requests. */
        enum Document implements FilterField {
            DOCUMENT_ID("documentId"), CONTENT_TYPE("contentType"), TITLE("title"),
            CREATED_AT("createdAt"), UPDATED_AT("updatedAt");

            private final String fieldName;

            Document(String fieldName) {
                this.fieldName = fieldName;
            }

            public String fieldName() {
                return fieldName;
            }

            /** Whether the field is a time, compared by ranges, rather than text, compared by equality. */
            public boolean isTime() {
                return this == CREATED_AT || this == UPDATED_AT;
            }

            @Override
            public Object valueOf(FilteredDocument document) {
                return switch (this) {
                    case DOCUMENT_ID -> document.documentId();
                    case CONTENT_TYPE -> document.contentType();
                    case TITLE -> document.title();
                    case CREATED_AT -> document.createdAt();
                    case UPDATED_AT -> document.updatedAt();
                };
            }

            static Optional<Document> named(String name) {
                for (Document field : values()) {
                    if (field.fieldName.equals(name)) {
                        return Optional.of(field);
                    }
                }
                return Optional.empty();
            }
        }
    }

    /**
     * A document as filters see it.
     *
     * @param createdAt when its first version was uploaded
     * @param updatedAt when it last changed
     * @param metadata  as {@link DocumentMetadata} keeps it or as read back from JSON
     */
    record FilteredDocument(String documentId, String contentType, String title, Instant createdAt,
                            Instant updatedAt, Map<String, ?> metadata) {
        public FilteredDocument {
            metadata = metadata == null ? Map.of() : metadata;
        }
    }
}
