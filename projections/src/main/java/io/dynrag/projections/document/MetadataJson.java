package io.dynrag.projections.document;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Document metadata between its Avro form in the events and its JSONB column. */
final class MetadataJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MetadataJson() {
    }

    /** Lists arrive as Avro arrays and text may arrive as Avro's own strings; written as plain JSON, keys in order. */
    static String write(Map<String, Object> metadata) {
        Map<String, Object> plain = new TreeMap<>();
        if (metadata != null) {
            metadata.forEach((key, value) -> plain.put(key.toString(), plain(value)));
        }
        try {
            return JSON.writeValueAsString(plain);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write document metadata", e);
        }
    }

    private static Object plain(Object value) {
        return switch (value) {
            case CharSequence text -> text.toString();
            case List<?> list -> list.stream().map(MetadataJson::plain).toList();
            default -> value;
        };
    }

    /**
     * What equality filters look for: {@code key=text} for every scalar value and every list item; numbers in
     * their plain decimal form ({@link #number}), so 2024 and 2024.0 are one term, and "2024" shares it.
     */
    static String[] terms(Map<String, Object> metadata) {
        List<String> terms = new ArrayList<>();
        if (metadata != null) {
            metadata.forEach((key, value) -> {
                if (value instanceof List<?> list) {
                    list.forEach(item -> terms.add(term(key.toString(), item.toString())));
                } else {
                    terms.add(term(key.toString(), value instanceof Number n ? number(n.toString()) : value.toString()));
                }
            });
        }
        return terms.toArray(String[]::new);
    }

    /** The terms a filter value matches: itself, and the plain form of the number it reads as. */
    static List<String> termsMatching(String key, String value) {
        String plain = number(value);
        return plain == null || plain.equals(value) ? List.of(term(key, value)) : List.of(term(key, value),
                term(key, plain));
    }

    private static String term(String key, String text) {
        return key + "=" + text;
    }

    /** A number in plain decimal form without trailing zeros, or null when the text is not a number. */
    private static String number(String text) {
        try {
            return new BigDecimal(text.strip()).stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Map<String, Object> read(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable metadata in the documents catalogue", e);
        }
    }
}
