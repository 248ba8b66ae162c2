package io.dynrag.api.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dynrag.domain.DomainRuleViolation;
import io.dynrag.platform.http.Json;
import io.dynrag.platform.idempotency.RequestFingerprint;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A tool call's arguments. The server checks them against the tool's input schema before the tool runs; these
 * checks name the argument again for what a schema cannot say (a blank text).
 */
record Arguments(Map<String, Object> values) {

    Arguments {
        values = values == null ? Map.of() : values;
    }

    Object value(String name) {
        return values.get(name);
    }

    /** @throws DomainRuleViolation when absent, not text or blank */
    String requiredText(String name) {
        String text = text(name);
        if (text == null || text.isBlank()) {
            throw new DomainRuleViolation("'" + name + "' is required and must not be blank");
        }
        return text;
    }

    /** @return null when absent */
    String text(String name) {
        Object value = values.get(name);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw new DomainRuleViolation("'" + name + "' must be a string");
    }

    /** The arguments but this one. */
    Arguments without(String name) {
        Map<String, Object> rest = new HashMap<>(values);
        rest.remove(name);
        return new Arguments(rest);
    }

    /**
     * The SHA-256 of the arguments as JSON with every object's keys in order: a retry whose client writes the same
     * arguments in another order is the same request.
     */
    byte[] sha256() {
        try {
            return RequestFingerprint.body(Json.apiMapper().writer()
                    .with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).writeValueAsBytes(values));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("arguments read from JSON write as JSON", e);
        }
    }

    /** The argument as a query parameter reads it: its text, a number's digits; null when absent. */
    String parameter(String name) {
        Object value = values.get(name);
        return value == null ? null : String.valueOf(value);
    }

    /**
     * The arguments as a REST route's JSON body, read as the route reads it.
     *
     * @throws DomainRuleViolation naming the argument that does not fit
     */
    <T> T as(Class<T> body) {
        try {
            return Json.apiMapper().convertValue(values, body);
        } catch (IllegalArgumentException e) {
            if (e.getCause() instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
                String field = mapping.getPath().stream()
                        .map(reference -> reference.getFieldName() != null ? reference.getFieldName()
                                : "[" + reference.getIndex() + "]")
                        .collect(Collectors.joining("."));
                throw new DomainRuleViolation("'" + field + "' does not fit this tool's input schema");
            }
            throw new DomainRuleViolation("the arguments do not fit this tool's input schema");
        }
    }
}
