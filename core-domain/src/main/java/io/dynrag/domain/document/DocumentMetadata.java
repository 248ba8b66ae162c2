package io.dynrag.domain.document;

import io.dynrag.domain.DomainRuleViolation;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The rules of a document's metadata: a flat object of strings, numbers, booleans and lists of strings,
 * within limits that keep every event and read-model row small. Dates are strings: a string that reads
 * as an ISO-8601 date ({@code 2026-11-26}) or instant with an offset ({@code 2026-11-26T14:22:40Z}) is a
 * date ({@link #isDate}), compared as a date by whatever compares values; it is stored and shown as sent.
 *
 * <p>Values are kept as {@code String}, {@code Long} (whole numbers), {@code Double} (other numbers),
 * {@code Boolean} or {@code List<String>}, in key order, so the same metadata is equal however it was read.
 */
public final class DocumentMetadata {

    public static final int MAX_KEYS = 32;
    public static final int MAX_KEY_LENGTH = 64;
    public static final int MAX_STRING_BYTES = 1024;
    public static final int MAX_LIST_ITEMS = 64;
    public static final int MAX_TOTAL_BYTES = 8192;
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]+");

    private DocumentMetadata() {
    }

    /**
     * The metadata in its kept form, checked against every rule.
     *
     * @param values null reads as no metadata
     * @throws DomainRuleViolation naming the offending key ({@code metadata.<key>}, {@code metadata.<key>[i]})
     */
    public static SortedMap<String, Object> checked(Map<String, ?> values) {
        SortedMap<String, Object> kept = new TreeMap<>();
        if (values == null) {
            return Collections.unmodifiableSortedMap(kept);
        }
        if (values.size() > MAX_KEYS) {
            throw new DomainRuleViolation("metadata may have at most " + MAX_KEYS + " keys, not " + values.size());
        }
        values.forEach((key, value) -> kept.put(checkedKey(key), checkedValue("metadata." + key, value)));
        int total = json(kept).getBytes(StandardCharsets.UTF_8).length;
        if (total > MAX_TOTAL_BYTES) {
            throw new DomainRuleViolation("metadata may take at most " + MAX_TOTAL_BYTES + " bytes as JSON, not "
                    + total);
        }
        return Collections.unmodifiableSortedMap(kept);
    }

    /**
     * {@code current} changed by {@code patch} as a JSON merge patch (RFC 7396) of a flat object: a key with a
     * value sets it, a key with null removes it, keys not named stay.
     */
    public static SortedMap<String, Object> merged(Map<String, ?> current, Map<String, ?> patch) {
        Map<String, Object> next = new TreeMap<>(current == null ? Map.of() : current);
        patch.forEach((key, value) -> {
            if (value == null) {
                next.remove(key);
            } else {
                next.put(key, value);
            }
        });
        return checked(next);
    }

    /** Whether a string value is a date: an ISO-8601 date, or a date and time with an offset. */
    public static boolean isDate(String value) {
        return instant(value).isPresent();
    }

    /**
     * The instant a date string ({@link #isDate}) stands for, which is what dates are compared by: a date alone
     * means its start, 00:00 UTC. Empty for any other string.
     */
    public static Optional<Instant> instant(String value) {
        try {
            return Optional.of(value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : OffsetDateTime.parse(value).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * What equality filters look for: {@code key=text} for every scalar value and every list item; numbers in
     * their plain decimal form ({@code 2024}, {@code 0.5}), so a number and the same number as text share a term.
     *
     * @param metadata in its kept form ({@link #checked}) or as read back from JSON
     */
    public static List<String> terms(Map<String, ?> metadata) {
        List<String> terms = new ArrayList<>();
        metadata.forEach((key, value) -> {
            if (value instanceof List<?> list) {
                list.forEach(item -> terms.add(key + "=" + item));
            } else {
                terms.add(key + "=" + (value instanceof Number n ? plainNumber(n.toString()) : value));
            }
        });
        return terms;
    }

    /** The terms ({@link #terms}) an equality filter of {@code key} with {@code value} matches any of. */
    public static List<String> termsMatching(String key, String value) {
        String plain = plainNumber(value);
        return plain == null || plain.equals(value) ? List.of(key + "=" + value)
                : List.of(key + "=" + value, key + "=" + plain);
    }

    /** A number in plain decimal form without trailing zeros, or null when the text is not a number. */
    private static String plainNumber(String text) {
        try {
            return new BigDecimal(text.strip()).stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Whether a key may name a metadata value: 1-64 letters, digits, '_', '.' and '-'. */
    public static boolean isKey(String key) {
        return key != null && !key.isEmpty() && key.length() <= MAX_KEY_LENGTH && KEY.matcher(key).matches();
    }

    private static String checkedKey(String key) {
        if (!isKey(key)) {
            throw new DomainRuleViolation("metadata key '" + key + "' must be 1-" + MAX_KEY_LENGTH
                    + " characters of letters, digits, '_', '.' and '-'");
        }
        return key;
    }

    private static Object checkedValue(String path, Object value) {
        return switch (value) {
            case null -> throw new DomainRuleViolation(path + " must not be null (leave the key out instead)");
            case String s -> checkedString(path, s);
            case Boolean b -> b;
            case Byte n -> n.longValue();
            case Short n -> n.longValue();
            case Integer n -> n.longValue();
            case Long n -> n;
            case Number n -> checkedNumber(path, n);
            case List<?> list -> checkedList(path, list);
            case Map<?, ?> ignored -> throw new DomainRuleViolation(path
                    + " is an object: metadata values are strings, numbers, booleans, dates or lists of strings, "
                    + "not nested objects");
            default -> throw new DomainRuleViolation(path
                    + " must be a string, number, boolean, date or list of strings");
        };
    }

    private static Object checkedNumber(String path, Number number) {
        double value = number.doubleValue();
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new DomainRuleViolation(path + " must be a finite number");
        }
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? (Object) (long) value : (Object) value;
    }

    private static String checkedString(String path, String value) {
        // PostgreSQL's text and jsonb cannot hold U+0000: a read model would fail on it.
        if (value.indexOf('\u0000') >= 0) {
            throw new DomainRuleViolation(path + " must not contain the NUL character (U+0000)");
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_STRING_BYTES) {
            throw new DomainRuleViolation(path + " may take at most " + MAX_STRING_BYTES + " bytes (UTF-8)");
        }
        return value;
    }

    private static List<String> checkedList(String path, List<?> list) {
        if (list.size() > MAX_LIST_ITEMS) {
            throw new DomainRuleViolation(path + " may hold at most " + MAX_LIST_ITEMS + " items, not " + list.size());
        }
        List<String> kept = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String item)) {
                throw new DomainRuleViolation(path + "[" + i + "] must be a string: lists hold strings only");
            }
            kept.add(checkedString(path + "[" + i + "]", item));
        }
        return List.copyOf(kept);
    }

    /** The metadata as compact JSON, to measure it as clients and the event store see it. */
    private static String json(Map<String, Object> values) {
        StringBuilder out = new StringBuilder("{");
        values.forEach((key, value) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            string(out, key).append(':');
            switch (value) {
                case String s -> string(out, s);
                case List<?> list -> {
                    out.append('[');
                    for (int i = 0; i < list.size(); i++) {
                        string(i == 0 ? out : out.append(','), (String) list.get(i));
                    }
                    out.append(']');
                }
                default -> out.append(value);
            }
        });
        return out.append('}').toString();
    }

    private static StringBuilder string(StringBuilder out, String value) {
        out.append('"');
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}
