package io.dynrag.schemas.connection;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * How every Kafka client of the roles connects: the bootstrap servers, the operator's pass-through client properties
 * (TLS, SASL and the like for a managed Kafka) and who is told of each client opened and closed (app reports their
 * metrics). Each client builds its configuration with {@link #config}, so none of them can forget the operator's
 * properties.
 *
 * @param properties the operator's properties; none of the {@link #CONTROLLED} keys, which the code sets itself
 * @param clients    told of each producer and consumer the roles open and close
 */
public record KafkaConnection(String bootstrapServers, Map<String, String> properties, ClientHook clients) {

    /** Told of the long-lived producers and consumers; the client is a {@code Producer} or a {@code Consumer}. */
    public interface ClientHook {

        ClientHook NONE = new ClientHook() {
            @Override
            public void opened(Object client) {
            }

            @Override
            public void closed(Object client) {
            }
        };

        void opened(Object client);

        void closed(Object client);
    }

    /**
     * Keys the clients' correctness depends on (exactly-once, where records go, how they are read): the code sets
     * them, so an operator's value would either be ignored or break a guarantee. Kafka Streams also reads a key with
     * a client prefix ({@code producer.acks}), refused the same way.
     */
    static final Set<String> CONTROLLED = Set.of("bootstrap.servers", "key.serializer", "value.serializer",
            "key.deserializer", "value.deserializer", "transactional.id", "isolation.level", "enable.idempotence",
            "acks", "group.id", "enable.auto.commit", "auto.offset.reset", "processing.guarantee", "application.id",
            "state.dir", "default.key.serde", "default.value.serde");
    private static final List<String> CLIENT_PREFIXES = List.of("main.consumer.", "restore.consumer.",
            "global.consumer.", "consumer.", "producer.", "admin.");

    public KafkaConnection {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(clients, "clients");
        properties = Map.copyOf(properties);
        properties.keySet().stream().filter(KafkaConnection::controlled).findFirst().ifPresent(key -> {
            throw new IllegalArgumentException("the Kafka client property '" + key + "' is set by Dynamic RAG "
                    + "itself and cannot be passed through");
        });
    }

    /** Plain connection to the servers: dev, tests and benchmarks. */
    public static KafkaConnection to(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, Map.of(), ClientHook.NONE);
    }

    /**
     * The servers with the client properties of a Java properties file.
     *
     * @param variable the setting that named the file, for the error when it cannot be read
     * @throws IllegalArgumentException naming the variable when the file cannot be read, or the key and the file
     *                                  when it sets a key the code controls
     */
    public static KafkaConnection withPropertiesFile(String bootstrapServers, Path file, String variable) {
        Properties loaded = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            loaded.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(variable + " names " + file + ", which cannot be read as a Java "
                    + "properties file: " + e.getMessage(), e);
        }
        Map<String, String> properties = new TreeMap<>();
        loaded.stringPropertyNames().forEach(key -> properties.put(key, loaded.getProperty(key)));
        properties.keySet().stream().filter(KafkaConnection::controlled).findFirst().ifPresent(key -> {
            throw new IllegalArgumentException(file + " (" + variable + ") sets the Kafka client property '" + key
                    + "', which Dynamic RAG sets itself: remove it from the file");
        });
        return new KafkaConnection(bootstrapServers, properties, ClientHook.NONE);
    }

    /** The same servers and properties, its producers and consumers told to the given hook. */
    public KafkaConnection reportingTo(ClientHook hook) {
        return new KafkaConnection(bootstrapServers, properties, hook);
    }

    /**
     * A client's configuration: the operator's properties, then the servers and the client's own settings, which win
     * over anything the operator set.
     */
    public Map<String, Object> config(Map<String, ?> own) {
        Map<String, Object> config = new HashMap<>(properties);
        config.put("bootstrap.servers", bootstrapServers);
        config.putAll(own);
        return config;
    }

    /** Tells the hook of a client just created; returns it for use in a field initialisation. */
    public <C> C opened(C client) {
        clients.opened(client);
        return client;
    }

    /** Tells the hook of a client closed. */
    public void closed(Object client) {
        clients.closed(client);
    }

    private static boolean controlled(String key) {
        String unprefixed = CLIENT_PREFIXES.stream().filter(key::startsWith).findFirst()
                .map(prefix -> key.substring(prefix.length())).orElse(key);
        return CONTROLLED.contains(unprefixed);
    }

    /** Keeps the properties' secrets (SASL passwords) out of logs. */
    @Override
    public String toString() {
        return bootstrapServers + (properties.isEmpty() ? "" : " with client properties " + properties.keySet());
    }
}
