package io.dynrag.app.infra;

import io.dynrag.app.config.InvalidSettingException;
import io.dynrag.app.config.Settings;
import io.dynrag.schemas.connection.KafkaConnection;

/**
 * How {@code run}, {@code replay} and the other commands against external servers connect to Kafka: the bootstrap
 * servers with the client properties of {@code DYNRAG_KAFKA_PROPERTIES_FILE} (TLS, SASL for a managed Kafka).
 * {@code dev}'s embedded broker needs none.
 */
public final class ExternalKafka {

    static final String PROPERTIES_FILE = "DYNRAG_KAFKA_PROPERTIES_FILE";

    private ExternalKafka() {
    }

    /** @throws InvalidSettingException when the properties file cannot be read or sets a key the code sets */
    public static KafkaConnection connection(Settings settings, String bootstrapServers) {
        try {
            return settings.kafkaPropertiesFile()
                    .map(file -> KafkaConnection.withPropertiesFile(bootstrapServers, file, PROPERTIES_FILE))
                    .orElseGet(() -> KafkaConnection.to(bootstrapServers));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage());
        }
    }
}
