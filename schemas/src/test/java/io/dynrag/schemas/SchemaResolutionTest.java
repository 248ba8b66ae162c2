package io.dynrag.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.document.DocumentVersionFailed;
import io.dynrag.schemas.document.DocumentVersionUploaded;
import io.dynrag.schemas.ingestion.IngestionResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.RandomData;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Messages written with an earlier schema are read through the schema history. */
class SchemaResolutionTest {

    private static final String TOPIC = Topics.DOCUMENT_EVENTS.name();

    /** Test-only history whose v1 is an older shape of DocumentEvent than the current one. */
    private static final SchemaHistory OLDER_SHAPE_HISTORY =
            new SchemaHistory("io/dynrag/schemas/evolution", SchemaResolutionTest.class.getClassLoader());

    private final Schema olderShape = OLDER_SHAPE_HISTORY.latest(DocumentEvent.getClassSchema().getFullName()).schema();

    @Test
    void olderMessageIsResolvedToTheCurrentClass() throws IOException {
        Schema failedSchema = olderShape.getField("payload").schema().getTypes().stream()
                .filter(branch -> branch.getName().equals("DocumentVersionFailed"))
                .findFirst()
                .orElseThrow();
        GenericRecord oldFailure = new GenericRecordBuilder(failedSchema)
                .set("version", 3)
                .set("reason", "timeout")
                .set("attempts", 5)
                .set("retryable", true)
                .build();
        byte[] written = writeWithOlderShape(oldEvent(oldFailure));

        DocumentEvent read = new AvroSerde<>(DocumentEvent.class, OLDER_SHAPE_HISTORY).deserialize(TOPIC, written);

        assertThat(read.getEventId()).isEqualTo("evt-old");
        assertThat(read.getOccurredAt()).isEqualTo(SampleEvents.OCCURRED_AT);
        assertThat(read.getPayload()).isEqualTo(DocumentVersionFailed.newBuilder()
                .setVersion(3)
                .setReason("timeout")
                .setRetryable(true)
                .build());
    }

    @Test
    void olderIntValuesArePromotedToLong() throws IOException {
        Schema uploadedSchema = olderShape.getField("payload").schema().getTypes().getFirst();
        GenericRecord oldUpload = new GenericRecordBuilder(uploadedSchema)
                .set("version", 1)
                .set("title", "a.txt")
                .set("contentType", "text/plain")
                .set("s3Key", "k")
                .set("sha256", "00")
                .set("bytes", 1_234)
                .build();
        byte[] written = writeWithOlderShape(oldEvent(oldUpload));

        DocumentEvent read = new AvroSerde<>(DocumentEvent.class, OLDER_SHAPE_HISTORY).deserialize(TOPIC, written);

        assertThat(read.getPayload()).isInstanceOfSatisfying(DocumentVersionUploaded.class,
                uploaded -> assertThat(uploaded.getBytes()).isEqualTo(1_234L));
    }

    @Test
    void withoutTheOlderVersionInItsHistoryTheReaderRejectsTheMessage() throws IOException {
        Schema uploadedSchema = olderShape.getField("payload").schema().getTypes().getFirst();
        GenericRecord oldUpload = new GenericRecordBuilder(uploadedSchema)
                .set("version", 1).set("title", "t").set("contentType", "text/plain")
                .set("s3Key", "k").set("sha256", "00").set("bytes", 1)
                .build();
        byte[] written = writeWithOlderShape(oldEvent(oldUpload));

        assertThatThrownBy(() -> new AvroSerde<>(DocumentEvent.class).deserialize(TOPIC, written))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("fingerprint");
    }

    static Stream<Arguments> everyPublishedVersion() {
        return Stream.of(CustomerEvent.class, DocumentEvent.class, IngestionResult.class)
                .flatMap(type -> SchemaHistory.published()
                        .versions(SpecificData.get().getSchema(type).getFullName()).stream()
                        .map(version -> Arguments.of(type, version.number(), version)));
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("everyPublishedVersion")
    <T extends SpecificRecord> void publishedSerdeReadsRandomDataOfEveryPublishedVersion(
            Class<T> type, int number, SchemaHistory.Version version) throws IOException {
        AvroSerde<T> serde = new AvroSerde<>(type);
        Schema current = SpecificData.get().getSchema(type);
        BinaryMessageEncoder<Object> writer = new BinaryMessageEncoder<>(GenericData.get(), version.schema());

        for (Object datum : new RandomData(GenericData.get(), version.schema(), 50, 20_261_101L)) {
            GenericRecord written = (GenericRecord) datum;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writer.encode(written, out);

            T read = serde.deserialize("t", out.toByteArray());

            for (Schema.Field field : version.schema().getFields()) {
                Schema.Field readField = current.getField(field.name());
                if (readField == null) {
                    continue;
                }
                assertSameValue(readField.schema(), written.get(field.name()), read.get(readField.pos()));
            }
        }
    }

    private static void assertSameValue(Schema readSchema, Object written, Object read) {
        switch (written) {
            case null -> assertThat(read).isNull();
            case GenericRecord record -> assertThat(((SpecificRecord) read).getSchema().getFullName())
                    .isEqualTo(record.getSchema().getFullName());
            case CharSequence text -> assertThat(read).hasToString(text.toString());
            case Number number when readSchema.getLogicalType() != null ->
                    assertThat(read).isEqualTo(Instant.ofEpochMilli(number.longValue()));
            case Integer number when read instanceof Long -> assertThat(read).isEqualTo(number.longValue());
            default -> assertThat(read).isEqualTo(written);
        }
    }

    private GenericRecord oldEvent(GenericRecord payload) {
        return new GenericRecordBuilder(olderShape)
                .set("eventId", "evt-old")
                .set("occurredAt", SampleEvents.OCCURRED_AT.toEpochMilli())
                .set("customerId", SampleEvents.CUSTOMER_ID)
                .set("documentId", SampleEvents.DOCUMENT_ID)
                .set("sequenceNumber", 4L)
                .set("payload", payload)
                .build();
    }

    private byte[] writeWithOlderShape(GenericRecord event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), olderShape).encode(event, out);
        return out.toByteArray();
    }
}
