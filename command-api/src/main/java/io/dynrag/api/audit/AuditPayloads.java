package io.dynrag.api.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.dynrag.domain.customer.EncryptedText;
import io.dynrag.platform.http.Json;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Stored event payloads as the audit trail shows them. Payloads are read into their event records
 * first, so redaction follows the types and not the look of the JSON: every {@link EncryptedText}
 * (a personal field under the customer's data key), wherever it sits, is shown as
 * {@code {"encrypted": true}} and never as ciphertext. Nothing else in our events is secret: provider
 * keys appear only as fingerprints, API keys and passwords never reach an event.
 */
final class AuditPayloads {

    /** Only our own event records are ever instantiated from a stored type name. */
    private static final String EVENT_PACKAGE = "io.dynrag.domain.";

    private final ObjectMapper stored = Json.eventMapper();
    private final ObjectMapper shown = Json.eventMapper()
            .registerModule(new SimpleModule("audit-redaction").addSerializer(new EncryptedMarker()));

    /** @param payloadType the binary class name Axon stored with the event */
    JsonNode shown(String payloadType, byte[] payload) {
        try {
            return shown.valueToTree(stored.readValue(payload, eventClass(payloadType)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a stored " + payloadType, e);
        }
    }

    /** Simple name of the payload record, e.g. {@code DocumentVersionUploaded}. */
    static String typeName(String payloadType) {
        return payloadType.substring(Math.max(payloadType.lastIndexOf('.'), payloadType.lastIndexOf('$')) + 1);
    }

    private static Class<?> eventClass(String payloadType) {
        if (!payloadType.startsWith(EVENT_PACKAGE)) {
            throw new IllegalStateException("not one of our events: " + payloadType);
        }
        try {
            return Class.forName(payloadType, false, AuditPayloads.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("a stored event type no longer exists: " + payloadType, e);
        }
    }

    private static final class EncryptedMarker extends StdSerializer<EncryptedText> {

        EncryptedMarker() {
            super(EncryptedText.class);
        }

        @Override
        public void serialize(EncryptedText value, JsonGenerator json, SerializerProvider provider) throws IOException {
            json.writeStartObject();
            json.writeBooleanField("encrypted", true);
            json.writeEndObject();
        }
    }
}
