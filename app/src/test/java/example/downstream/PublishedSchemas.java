package example.downstream;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The published {@code .avsc} files, read as any downstream service would read them, and the decoding of
 * a topic value by hand: Avro single-object encoding is the marker {@code C3 01}, the 8-byte little-endian
 * CRC-64-AVRO fingerprint of the writer's schema (its parsing canonical form), then the Avro binary body.
 *
 * @param byFingerprint every schema of every released version, by fingerprint: the writers a value may name
 * @param current       the current schema of each top-level record, by full name: what this reader reads into
 */
public record PublishedSchemas(Map<Long, Schema> byFingerprint, Map<String, Schema> current) {

    private static final int HEADER_BYTES = 10;

    /**
     * @param currentDirectory the current schemas ({@code schemas/src/main/avro})
     * @param historyDirectory every released version ({@code <full name>/v<N>.avsc}); the newest equals the current
     */
    public static PublishedSchemas read(Path currentDirectory, Path historyDirectory) {
        Map<Long, Schema> byFingerprint = new HashMap<>();
        Map<String, Schema> current = new HashMap<>();
        for (Path file : avscFiles(currentDirectory)) {
            Schema schema = parse(file);
            current.put(schema.getFullName(), schema);
            byFingerprint.put(SchemaNormalization.parsingFingerprint64(schema), schema);
        }
        for (Path file : avscFiles(historyDirectory)) {
            Schema schema = parse(file);
            byFingerprint.putIfAbsent(SchemaNormalization.parsingFingerprint64(schema), schema);
        }
        return new PublishedSchemas(Map.copyOf(byFingerprint), Map.copyOf(current));
    }

    /** The fingerprint a value names as its writer's schema. */
    public static long writerFingerprint(byte[] value) {
        if (value.length < HEADER_BYTES || value[0] != (byte) 0xC3 || value[1] != (byte) 0x01) {
            throw new IllegalArgumentException("not Avro single-object encoded: no C3 01 marker");
        }
        return ByteBuffer.wrap(value, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** Resolves the writer's schema by fingerprint and reads the body into the current schema of that record. */
    public GenericRecord decode(byte[] value) {
        long fingerprint = writerFingerprint(value);
        Schema writer = byFingerprint.get(fingerprint);
        if (writer == null) {
            throw new IllegalArgumentException("no published schema has fingerprint " + Long.toHexString(fingerprint)
                    + "; a newer version than these files?");
        }
        Schema reader = current.getOrDefault(writer.getFullName(), writer);
        BinaryDecoder body = DecoderFactory.get().binaryDecoder(value, HEADER_BYTES, value.length - HEADER_BYTES, null);
        try {
            return new GenericDatumReader<GenericRecord>(writer, reader).read(null, body);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a " + writer.getFullName(), e);
        }
    }

    private static Schema parse(Path file) {
        try {
            // One parser per file: the versions of a record share its full name.
            return new Schema.Parser().parse(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static List<Path> avscFiles(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(file -> file.toString().endsWith(".avsc")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
    }
}
