package io.dynrag.domain.document.filter;

import io.dynrag.domain.document.DocumentMetadata;
import io.dynrag.domain.document.filter.DocumentFilter.Bound;
import io.dynrag.domain.document.filter.DocumentFilter.Comparison;
import io.dynrag.domain.document.filter.DocumentFilter.FilterField;
import io.dynrag.domain.document.filter.DocumentFilter.Scalar;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a filter from its JSON form (as a JSON library reads it into maps, lists, strings, numbers and booleans),
 * in the style of MongoDB's queries:
 * <pre>{"metadata.team": "search", "metadata.year": {"$gte": 2020}, "$or": [{...}, {...}]}</pre>
 * Keys of one object are all to hold; a bare value means {@code $eq}. Every refusal is a {@link FilterRefusal}
 * naming the offending part by its JSON Pointer, so a client can find it in its request.
 */
public final class FilterParser {

    /** How deep {@code $and}/{@code $or} may nest. */
    public static final int MAX_DEPTH = 4;
    /** Field-operator pairs in one filter. */
    public static final int MAX_CONDITIONS = 64;
    /** Values of one {@code $in} or {@code $nin}. */
    public static final int MAX_VALUES = 1_000;
    /** The filter's size as JSON. */
    public static final int MAX_JSON_BYTES = 16 * 1024;

    /**
     * The times {@code createdAt} and {@code updatedAt} are compared with: the years ISO-8601 writes with four digits.
     * Java reads instants far beyond them ({@code +999999999-12-31T23:59:59Z}), which the documents read model's
     * timestamps cannot hold. Metadata dates are compared as exact numbers and keep every year.
     */
    private static final Instant FIRST_TIME = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant LAST_TIME = Instant.parse("9999-12-31T23:59:59.999999999Z");
    private static final String METADATA = "metadata.";
    private static final String DATES = "a date (2026-01-31) or an instant with an offset (2026-01-31T12:00:00Z)";

    private int conditions;

    private FilterParser() {
    }

    /**
     * @param json      the filter as read from JSON; null for no filter (every document)
     * @param jsonBytes its size as JSON, which the caller measured
     * @param pointer   where it stands in the request, e.g. {@code /filter}
     * @throws FilterRefusal for a filter that breaks a rule of the language or a limit
     */
    public static DocumentFilter parse(Object json, int jsonBytes, String pointer) {
        if (json == null) {
            return DocumentFilter.EVERYTHING;
        }
        if (jsonBytes > MAX_JSON_BYTES) {
            throw new FilterRefusal(pointer, "a filter may take at most " + MAX_JSON_BYTES + " bytes as JSON, not "
                    + jsonBytes);
        }
        return new FilterParser().object(json, pointer, 0);
    }

    /** A pointer's next step: {@code ~} and {@code /} in a key escaped as RFC 6901 says. */
    static String child(String pointer, Object step) {
        return pointer + "/" + step.toString().replace("~", "~0").replace("/", "~1");
    }

    private DocumentFilter object(Object json, String pointer, int depth) {
        if (!(json instanceof Map<?, ?> map)) {
            throw new FilterRefusal(pointer, "a filter is a JSON object such as {\"metadata.team\": \"search\"}, not "
                    + kind(json));
        }
        List<DocumentFilter> parts = new ArrayList<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = String.valueOf(entry.getKey());
            String at = child(pointer, key);
            if (key.equals("$and") || key.equals("$or")) {
                parts.add(logical(key, entry.getValue(), at, depth + 1));
            } else if (key.startsWith("$")) {
                throw new FilterRefusal(at, "unknown operator '" + key + "' here: an object's keys are fields "
                        + "(metadata.<key>, documentId, contentType, title, createdAt, updatedAt) or $and, $or");
            } else {
                parts.addAll(field(field(key, at), entry.getValue(), at));
            }
        }
        return parts.size() == 1 ? parts.getFirst() : new DocumentFilter.And(parts);
    }

    private DocumentFilter logical(String operator, Object json, String pointer, int depth) {
        if (depth > MAX_DEPTH) {
            throw new FilterRefusal(pointer, "$and and $or may nest at most " + MAX_DEPTH + " deep");
        }
        if (!(json instanceof List<?> list) || list.isEmpty()) {
            throw new FilterRefusal(pointer, operator + " takes a non-empty array of filter objects, not "
                    + (json instanceof List<?> ? "an empty array" : kind(json)));
        }
        List<DocumentFilter> parts = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            parts.add(object(list.get(i), child(pointer, i), depth));
        }
        return operator.equals("$and") ? new DocumentFilter.And(parts) : new DocumentFilter.Or(parts);
    }

    private static FilterField field(String name, String pointer) {
        if (name.startsWith(METADATA)) {
            String key = name.substring(METADATA.length());
            if (!DocumentMetadata.isKey(key)) {
                throw new FilterRefusal(pointer, "'" + key + "' is no metadata key: keys are 1-"
                        + DocumentMetadata.MAX_KEY_LENGTH + " characters of letters, digits, '_', '.' and '-'");
            }
            return new FilterField.Metadata(key);
        }
        return FilterField.Document.named(name).orElseThrow(() -> new FilterRefusal(pointer, "unknown field '"
                + name + "': filter on metadata.<key>, documentId, contentType, title, createdAt or updatedAt"));
    }

    /** The conditions on one field: a bare value ({@code $eq}) or an object of operators, all to hold. */
    private List<DocumentFilter> field(FilterField field, Object json, String pointer) {
        if (!(json instanceof Map<?, ?> operators)) {
            return List.of(condition(field, "$eq", json, pointer));
        }
        if (operators.isEmpty()) {
            throw new FilterRefusal(pointer, "an object of operators needs at least one: "
                    + "$eq, $ne, $in, $nin, $gt, $gte, $lt, $lte or $exists");
        }
        List<DocumentFilter> conditions = new ArrayList<>();
        operators.forEach((operator, operand) -> conditions.add(condition(field, String.valueOf(operator), operand,
                child(pointer, operator))));
        return conditions;
    }

    private DocumentFilter condition(FilterField field, String operator, Object operand, String pointer) {
        if (++conditions > MAX_CONDITIONS) {
            throw new FilterRefusal(pointer, "a filter may hold at most " + MAX_CONDITIONS
                    + " conditions (field-operator pairs)");
        }
        return switch (operator) {
            case "$eq", "$ne" -> {
                refuseTimes(field, operator, pointer);
                yield new DocumentFilter.In(field, List.of(scalar(field, operand, pointer)), operator.equals("$ne"));
            }
            case "$in", "$nin" -> {
                refuseTimes(field, operator, pointer);
                yield new DocumentFilter.In(field, scalars(field, operator, operand, pointer), operator.equals("$nin"));
            }
            case "$gt", "$gte", "$lt", "$lte" -> range(field, operator, operand, pointer);
            case "$exists" -> {
                if (!(field instanceof FilterField.Metadata metadata)) {
                    throw new FilterRefusal(pointer, "$exists applies to metadata keys; every document has "
                            + ((FilterField.Document) field).fieldName());
                }
                if (!(operand instanceof Boolean exists)) {
                    throw new FilterRefusal(pointer, "$exists takes true or false, not " + kind(operand));
                }
                yield new DocumentFilter.Exists(metadata.key(), exists);
            }
            default -> throw new FilterRefusal(pointer, "unknown operator '" + operator
                    + "': use $eq, $ne, $in, $nin, $gt, $gte, $lt, $lte or $exists");
        };
    }

    private static void refuseTimes(FilterField field, String operator, String pointer) {
        if (field instanceof FilterField.Document document && document.isTime()) {
            throw new FilterRefusal(pointer, document.fieldName() + " is a time and takes no " + operator
                    + ": use a range ($gt, $gte, $lt, $lte)");
        }
    }

    private static List<Scalar> scalars(FilterField field, String operator, Object operand, String pointer) {
        if (!(operand instanceof List<?> list)) {
            throw new FilterRefusal(pointer, operator + " takes an array of values, not " + kind(operand));
        }
        if (list.size() > MAX_VALUES) {
            throw new FilterRefusal(pointer, operator + " takes at most " + MAX_VALUES + " values, not "
                    + list.size());
        }
        List<Scalar> values = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            values.add(scalar(field, list.get(i), child(pointer, i)));
        }
        return values;
    }

    private static Scalar scalar(FilterField field, Object operand, String pointer) {
        if (operand instanceof String text && text.indexOf('\u0000') >= 0) {
            // No document holds U+0000 (metadata refuses it), and PostgreSQL's text and jsonb cannot hold it.
            throw new FilterRefusal(pointer, "must not contain the NUL character (U+0000)");
        }
        if (field instanceof FilterField.Document document) {
            if (!(operand instanceof String text)) {
                throw new FilterRefusal(pointer, document.fieldName() + " is compared with strings, not "
                        + kind(operand));
            }
            return new Scalar.Text(text);
        }
        return switch (operand) {
            case String text -> new Scalar.Text(text);
            case Boolean bool -> new Scalar.Bool(bool);
            case Number number -> new Scalar.Number(decimal(number, pointer));
            case null, default -> throw new FilterRefusal(pointer, "metadata values are compared with a string, number or "
                    + "boolean, not " + kind(operand));
        };
    }

    private static DocumentFilter range(FilterField field, String operator, Object operand, String pointer) {
        Comparison comparison = switch (operator) {
            case "$gt" -> Comparison.GT;
            case "$gte" -> Comparison.GTE;
            case "$lt" -> Comparison.LT;
            default -> Comparison.LTE;
        };
        if (field instanceof FilterField.Document document) {
            if (!document.isTime()) {
                throw new FilterRefusal(pointer, document.fieldName() + " takes $eq, $ne, $in or $nin, not "
                        + operator);
            }
            Instant at = instant(operator, operand, pointer).orElseThrow(() -> new FilterRefusal(pointer, operator
                    + " on " + document.fieldName() + " takes " + DATES + ", not " + kind(operand)));
            if (at.isBefore(FIRST_TIME) || at.isAfter(LAST_TIME)) {
                throw new FilterRefusal(pointer, document.fieldName() + " is compared with times of the years 0000 "
                        + "to 9999, not " + kind(operand));
            }
            return new DocumentFilter.Range(field, comparison, new Bound.Moment(at));
        }
        if (operand instanceof Number number) {
            return new DocumentFilter.Range(field, comparison, new Bound.Number(decimal(number, pointer)));
        }
        return new DocumentFilter.Range(field, comparison, new Bound.Moment(instant(operator, operand, pointer)
                .orElseThrow(() -> new FilterRefusal(pointer, operator + " takes a number or " + DATES + ", not "
                        + kind(operand)))));
    }

    private static Optional<Instant> instant(String operator, Object operand, String pointer) {
        if (operand instanceof String text) {
            return Optional.of(DocumentMetadata.instant(text).orElseThrow(() -> new FilterRefusal(pointer, operator
                    + " takes " + DATES + "; '" + text + "' is neither")));
        }
        return Optional.empty();
    }

    private static BigDecimal decimal(Number number, String pointer) {
        try {
            return Scalar.decimal(number);
        } catch (NumberFormatException e) {
            throw new FilterRefusal(pointer, "must be a finite number");
        }
    }

    private static String kind(Object json) {
        return switch (json) {
            case null -> "null";
            case String text -> "the string '" + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "'";
            case Boolean bool -> bool.toString();
            case Number number -> "the number " + number;
            case List<?> ignored -> "an array";
            case Map<?, ?> ignored -> "an object";
            default -> "a " + json.getClass().getSimpleName();
        };
    }
}
