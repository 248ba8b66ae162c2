package io.dynrag.api.document;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.domain.DomainRuleViolation;
import io.dynrag.platform.http.Json;

import java.util.Map;

/**
 * Document metadata sent as the text of a form field ({@code metadata} of an upload, {@code metadata[i]} of a
 * batch): a JSON object, whose values core-domain's {@code DocumentMetadata} then checks.
 */
public final class MetadataField {

    private static final ObjectMapper JSON = Json.apiMapper();

    private MetadataField() {
    }

    /**
     * @param json  the field's text; null or blank for no metadata
     * @param field the field's name, for the answer
     * @throws DomainRuleViolation when it is not a JSON object
     */
    public static Map<String, Object> parse(String json, String field) {
        if (json == null || json.isBlank()) {
            return null;
        }
        try {
            Map<String, Object> metadata = JSON.readValue(json, new TypeReference<Map<String, Object>>() { });
            if (metadata == null) {
                throw new DomainRuleViolation("the field '" + field + "' must hold a JSON object, not null");
            }
            return metadata;
        } catch (JsonProcessingException e) {
            throw new DomainRuleViolation("the field '" + field + "' must hold a JSON object such as "
                    + "{\"team\": \"search\"}: " + e.getOriginalMessage());
        }
    }
}
