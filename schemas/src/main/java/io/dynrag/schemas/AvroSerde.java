package io.dynrag.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for a generated Avro record class using Avro single-object encoding: each
 * message carries the 64-bit fingerprint of the schema it was written with, so no schema
 * registry is needed. Writes with the current schema; reads messages written with the
 * current schema or any version in the {@link SchemaHistory}. Thread-safe and stateless
 * towards Kafka, so one instance may be shared by any number of clients.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {

    private final Class<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final String readableVersions;

    /** A serde reading every version published in this jar's schema history. */
    public AvroSerde(Class<T> type) {
        this(type, SchemaHistory.published());
    }

    public AvroSerde(Class<T> type, SchemaHistory history) {
        this.type = Objects.requireNonNull(type, "type");
        SpecificData model = new GeneratedClassesModel(type);
        Schema current = SpecificData.getForClass(type).getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(model, current);
        this.decoder = new BinaryMessageDecoder<>(model, current);
        List<SchemaHistory.Version> versions = history.versions(current.getFullName());
        long currentFingerprint = SchemaNormalization.parsingFingerprint64(current);
        for (SchemaHistory.Version version : versions) {
            // Same fingerprint as the current schema: adding it would only swap in an equivalent writer schema.
            if (SchemaNormalization.parsingFingerprint64(version.schema()) != currentFingerprint) {
                decoder.addSchema(version.schema());
            }
        }
        this.readableVersions = versions.isEmpty()
                ? "the current schema only"
                : "the current schema and " + versions.stream()
                        .map(version -> "v" + version.number())
                        .collect(Collectors.joining(", "));
    }

    public Class<T> type() {
        return type;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            encoder.encode(data, out);
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(
                    "Cannot serialize " + type.getName() + " for topic '" + topic + "': " + e.getMessage(), e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return decoder.decode(data);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot deserialize a " + type.getName() + " from topic '" + topic
                    + "' (" + data.length + " bytes; this reader knows " + readableVersions + "): "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // Nothing to configure: the schema comes from the type, the history from the classpath.
    }

    @Override
    public void close() {
        // Holds no resources.
    }
}
