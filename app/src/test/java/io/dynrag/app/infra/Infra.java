package io.dynrag.app.infra;

import java.util.Locale;
import java.util.function.BooleanSupplier;

import org.testcontainers.DockerClientFactory;

/**
 * The servers an integration test talks to: Kafka, PostgreSQL and an S3 API. Tests depend only on
 * this interface, so the same test runs on in-process servers or on containers.
 *
 * <p>Chosen with {@code -Dinfra=embedded|containers|auto} (default {@code embedded}); {@code auto}
 * uses containers when a Docker engine answers, else the embedded servers.
 */
public interface Infra extends AutoCloseable {

    String SELECTION_PROPERTY = "infra";

    String kafkaBootstrapServers();

    String jdbcUrl();

    String jdbcUser();

    String jdbcPassword();

    S3Settings s3();

    @Override
    void close();

    /** Starts the implementation selected by {@value #SELECTION_PROPERTY}; the caller closes it. */
    static Infra start() {
        Kind kind = Kind.select(System.getProperty(SELECTION_PROPERTY),
                () -> DockerClientFactory.instance().isDockerAvailable());
        return switch (kind) {
            case EMBEDDED -> EmbeddedInfra.startInTemporaryDirectory();
            case CONTAINERS -> ContainersInfra.start();
        };
    }

    enum Kind {
        EMBEDDED, CONTAINERS;

        static Kind select(String property, BooleanSupplier dockerAvailable) {
            String value = property == null || property.isBlank() ? "embedded" : property.trim().toLowerCase(Locale.ROOT);
            return switch (value) {
                case "embedded" -> EMBEDDED;
                case "containers" -> CONTAINERS;
                case "auto" -> dockerAvailable.getAsBoolean() ? CONTAINERS : EMBEDDED;
                default -> throw new IllegalArgumentException(
                        "-D" + SELECTION_PROPERTY + " must be embedded, containers or auto, not '" + property + "'");
            };
        }
    }
}
