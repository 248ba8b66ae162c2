package io.dynrag.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynrag.schemas.document.DocumentEvent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeErrorsTest {

    private static final String TOPIC = Topics.DOCUMENT_EVENTS.name();

    private final AvroSerde<DocumentEvent> serde = new AvroSerde<>(DocumentEvent.class);

    @Test
    void unknownFingerprintNamesTopicTypeAndKnownVersions() {
        byte[] unknown = {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 2, 'x'};

        assertThatThrownBy(() -> serde.deserialize(TOPIC, unknown))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("'" + TOPIC + "'")
                .hasMessageContaining(DocumentEvent.class.getName())
                .hasMessageContaining("fingerprint")
                .hasMessageContaining("the current schema and v1");
    }

    @Test
    void aValueOfAnotherTopicIsRejectedNotMisread() {
        byte[] customerEvent = Topics.CUSTOMER_EVENTS.valueSerde().serializer()
                .serialize(Topics.CUSTOMER_EVENTS.name(), SampleEvents.customerEvents().getFirst());

        assertThatThrownBy(() -> serde.deserialize(TOPIC, customerEvent))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("fingerprint");
    }

    @Test
    void bytesWithoutTheSingleObjectHeaderAreRejected() {
        byte[] garbage = "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> serde.deserialize(TOPIC, garbage))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("'" + TOPIC + "'")
                .hasMessageContaining(DocumentEvent.class.getName())
                .hasMessageContaining(garbage.length + " bytes");
    }

    @Test
    void emptyBytesAreRejected() {
        assertThatThrownBy(() -> serde.deserialize(TOPIC, new byte[0]))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(DocumentEvent.class.getName());
    }

    @Test
    void truncatedBodyIsRejected() {
        byte[] whole = serde.serialize(TOPIC, SampleEvents.documentEvents().getFirst());
        byte[] truncated = Arrays.copyOf(whole, whole.length - 5);

        assertThatThrownBy(() -> serde.deserialize(TOPIC, truncated))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("'" + TOPIC + "'");
    }

    @Test
    void corruptUnionBranchIsRejected() {
        byte[] bytes = serde.serialize(TOPIC, SampleEvents.documentEvents().getFirst());
        DocumentEvent event = SampleEvents.documentEvents().getFirst();
        // Fixed header (10 bytes), then eventId, occurredAt, customerId, documentId, sequenceNumber, union index.
        int unionIndexAt = 10 + encodedStringLength(event.getEventId()) + 6 + encodedStringLength(event.getCustomerId())
                + encodedStringLength(event.getDocumentId()) + 1;
        assertThat(bytes[unionIndexAt]).as("zig-zag encoded branch 0").isZero();
        bytes[unionIndexAt] = 0x7E;

        assertThatThrownBy(() -> serde.deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(DocumentEvent.class.getName());
    }

    @Test
    void recordMissingARequiredFieldCannotBeWritten() {
        DocumentEvent incomplete = SampleEvents.documentEvents().getFirst();
        incomplete.setPayload(null);

        assertThatThrownBy(() -> serde.serialize(TOPIC, incomplete))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Cannot serialize " + DocumentEvent.class.getName())
                .hasMessageContaining("'" + TOPIC + "'");
    }

    /** Length of an Avro string whose UTF-8 form is shorter than 64 bytes: one varint byte plus the bytes. */
    private static int encodedStringLength(String value) {
        return 1 + value.getBytes(StandardCharsets.UTF_8).length;
    }
}
