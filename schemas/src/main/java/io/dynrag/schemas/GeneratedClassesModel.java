package io.dynrag.schemas;

import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.AvroGenerated;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The data model for reading one generated record type. Avro 1.12.2 refuses to load any class
 * by name that is not on its global allow-list (system properties
 * {@code org.apache.avro.SERIALIZABLE_PACKAGES/CLASSES}); that includes our own generated
 * classes, so even their built-in decoders fail. Consumers of this jar must not have to
 * configure that, so this model resolves exactly the generated classes named by the reader's
 * compiled schema (the writer's schema never chooses a class) and leaves every other name to
 * Avro's checks.
 */
final class GeneratedClassesModel extends SpecificData {

    private final Map<String, Class<?>> generatedClasses;

    GeneratedClassesModel(Class<? extends SpecificRecord> type) {
        super(type.getClassLoader());
        Map<String, Class<?>> classes = new HashMap<>();
        collectGeneratedClasses(SpecificData.getForClass(type).getSchema(type), type.getClassLoader(), classes);
        for (Class<?> generated : classes.values()) {
            // Each generated class registers the logical-type conversions of its own fields.
            SpecificData.getForClass(generated).getConversions().forEach(this::addLogicalTypeConversion);
        }
        this.generatedClasses = Map.copyOf(classes);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class getClass(Schema schema) {
        return switch (schema.getType()) {
            case RECORD, ENUM, FIXED -> {
                Class<?> generated = generatedClasses.get(schema.getFullName());
                yield generated != null ? generated : super.getClass(schema);
            }
            default -> super.getClass(schema);
        };
    }

    private static void collectGeneratedClasses(Schema schema, ClassLoader loader, Map<String, Class<?>> classes) {
        switch (schema.getType()) {
            case RECORD -> {
                if (classes.containsKey(schema.getFullName()) || !addIfGenerated(schema, loader, classes)) {
                    return;
                }
                schema.getFields().forEach(field -> collectGeneratedClasses(field.schema(), loader, classes));
            }
            case ENUM, FIXED -> addIfGenerated(schema, loader, classes);
            case UNION -> schema.getTypes().forEach(branch -> collectGeneratedClasses(branch, loader, classes));
            case ARRAY -> collectGeneratedClasses(schema.getElementType(), loader, classes);
            case MAP -> collectGeneratedClasses(schema.getValueType(), loader, classes);
            default -> {
            }
        }
    }

    private static boolean addIfGenerated(Schema schema, ClassLoader loader, Map<String, Class<?>> classes) {
        try {
            Class<?> candidate = Class.forName(SpecificData.getClassName(schema), false, loader);
            if (!candidate.isAnnotationPresent(AvroGenerated.class)) {
                return false;
            }
            classes.put(schema.getFullName(), candidate);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
