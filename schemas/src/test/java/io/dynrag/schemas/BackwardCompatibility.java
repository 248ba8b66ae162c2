package io.dynrag.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/** The rules a schema change must follow, shared by the guard and the tests proving it can fail. */
final class BackwardCompatibility {

    // The code generator marks strings as java.lang.String; that is not part of the published contract.
    private static final String JAVA_STRING_PROPERTY = "avro.java.string";
    private static final ObjectMapper JSON = new ObjectMapper();

    private BackwardCompatibility() {
    }

    /**
     * Why the reader cannot read data written with each historical version; empty when it can
     * read all. Avro reports a broken record inside a union only as a missing branch, so each
     * named record of the writer is also checked against the reader's record of the same name.
     */
    static List<String> problemsReading(Schema reader, List<SchemaHistory.Version> history) {
        List<String> problems = new ArrayList<>();
        Map<String, Schema> readerRecords = records(reader);
        for (SchemaHistory.Version version : history) {
            SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, version.schema());
            if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
                continue;
            }
            describe(problems, version, reader.getFullName(), result);
            records(version.schema()).forEach((name, writerRecord) -> {
                Schema readerRecord = readerRecords.get(name);
                if (readerRecord != null && !name.equals(reader.getFullName())) {
                    describe(problems, version, name,
                            SchemaCompatibility.checkReaderWriterCompatibility(readerRecord, writerRecord));
                }
            });
        }
        return problems;
    }

    private static void describe(List<String> problems, SchemaHistory.Version version, String record,
            SchemaPairCompatibility result) {
        for (Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
            problems.add("cannot read v" + version.number() + " of " + record + ": " + incompatibility.getType()
                    + " at " + incompatibility.getLocation() + " (" + incompatibility.getMessage() + ")");
        }
    }

    private static Map<String, Schema> records(Schema schema) {
        Map<String, Schema> records = new LinkedHashMap<>();
        collectRecords(schema, records);
        return records;
    }

    private static void collectRecords(Schema schema, Map<String, Schema> records) {
        switch (schema.getType()) {
            case RECORD -> {
                if (records.putIfAbsent(schema.getFullName(), schema) == null) {
                    schema.getFields().forEach(field -> collectRecords(field.schema(), records));
                }
            }
            case UNION -> schema.getTypes().forEach(branch -> collectRecords(branch, records));
            case ARRAY -> collectRecords(schema.getElementType(), records);
            case MAP -> collectRecords(schema.getValueType(), records);
            default -> {
            }
        }
    }

    static SchemaCompatibilityType compatibility(Schema reader, SchemaHistory.Version writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer.schema()).getType();
    }

    /** The schema as published: its JSON without code-generator properties, in a comparable form. */
    static JsonNode publishedForm(Schema schema) {
        try {
            return normalize(JSON.readTree(schema.toString()));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read the JSON of " + schema.getFullName(), e);
        }
    }

    private static JsonNode normalize(JsonNode node) {
        if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, normalize(array.get(i)));
            }
            return array;
        }
        if (node instanceof ObjectNode object) {
            object.remove(JAVA_STRING_PROPERTY);
            for (Map.Entry<String, JsonNode> property : object.properties()) {
                property.setValue(normalize(property.getValue()));
            }
            // {"type":"string"} and "string" are the same schema once the property is gone.
            if (object.size() == 1 && object.get("type") instanceof TextNode primitive) {
                return primitive;
            }
            return object;
        }
        return node;
    }
}
