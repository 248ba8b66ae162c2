package io.dynrag.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * Every released version of each top-level schema, read from classpath resources
 * {@code <root>/<full name>/v1.avsc, v2.avsc, ...}. Versions are numbered without gaps; the
 * first missing number ends the history.
 */
public final class SchemaHistory {

    public static final String PUBLISHED_ROOT = "io/dynrag/schemas/history";

    private static final SchemaHistory PUBLISHED =
            new SchemaHistory(PUBLISHED_ROOT, SchemaHistory.class.getClassLoader());

    /** One released version of a schema. */
    public record Version(String fullName, int number, Schema schema) {
        public Version {
            Objects.requireNonNull(fullName, "fullName");
            Objects.requireNonNull(schema, "schema");
            if (number < 1) {
                throw new IllegalArgumentException("version numbers start at 1, got " + number);
            }
        }
    }

    private final String root;
    private final ClassLoader classLoader;

    public SchemaHistory(String root, ClassLoader classLoader) {
        this.root = Objects.requireNonNull(root, "root");
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
    }

    /** The history shipped in this jar. */
    public static SchemaHistory published() {
        return PUBLISHED;
    }

    /** All released versions of the named schema, oldest first; empty if it has no history. */
    public List<Version> versions(String fullName) {
        List<Version> versions = new ArrayList<>();
        for (int number = 1; ; number++) {
            String resource = resourceName(fullName, number);
            try (InputStream in = classLoader.getResourceAsStream(resource)) {
                if (in == null) {
                    return List.copyOf(versions);
                }
                versions.add(new Version(fullName, number, parse(in, resource, fullName)));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read schema history resource " + resource, e);
            }
        }
    }

    /** The most recent released version of the named schema. */
    public Version latest(String fullName) {
        List<Version> versions = versions(fullName);
        if (versions.isEmpty()) {
            throw new IllegalStateException(
                    "No schema history for " + fullName + " under " + root + "/" + fullName + "/");
        }
        return versions.getLast();
    }

    public String resourceName(String fullName, int number) {
        return root + "/" + fullName + "/v" + number + ".avsc";
    }

    private static Schema parse(InputStream in, String resource, String fullName) throws IOException {
        Schema schema;
        try {
            // A fresh parser per file: each version redefines the same named types.
            schema = new Schema.Parser().parse(in);
        } catch (SchemaParseException e) {
            throw new IllegalStateException("Invalid schema in " + resource + ": " + e.getMessage(), e);
        }
        if (!schema.getFullName().equals(fullName)) {
            throw new IllegalStateException(
                    resource + " defines " + schema.getFullName() + " instead of " + fullName);
        }
        return schema;
    }
}
