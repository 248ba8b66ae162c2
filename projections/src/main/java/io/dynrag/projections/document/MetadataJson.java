package io.dynrag.projections.document;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.domain.document.DocumentMetadata;

import java.math.BigDecimal;
import java.time.Instant;
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

    /** The equality filter terms of the metadata as the events carry it ({@code DocumentMetadata.terms}). */
    static String[] terms(Map<String, Object> metadata) {
        Map<String, Object> plain = new TreeMap<>();
        if (metadata != null) {
            metadata.forEach((key, value) -> plain.put(key.toString(), plain(value)));
        }
        return DocumentMetadata.terms(plain).toArray(String[]::new);
    }

    /**
     * The instants of the metadata's dates, in nanoseconds since the epoch, keyed like the metadata, as JSON: what
     * range filters on dates compare ({@code DocumentMetadata.instant}).
     */
    static String instants(Map<String, Object> metadata) {
        Map<String, BigDecimal> instants = new TreeMap<>();
        if (metadata != null) {
            metadata.forEach((key, value) -> {
                if (value instanceof CharSequence text) {
                    DocumentMetadata.instant(text.toString()).ifPresent(at -> instants.put(key.toString(),
                            nanos(at)));
                }
            });
        }
        try {
            return JSON.writeValueAsString(instants);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write document metadata dates", e);
        }
    }

    /** An instant as nanoseconds since the epoch, exactly. */
    static BigDecimal nanos(Instant at) {
        return BigDecimal.valueOf(at.getEpochSecond()).movePointRight(9).add(BigDecimal.valueOf(at.getNano()));
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
