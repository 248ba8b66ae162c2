package io.dynrag.dev;

import io.dynrag.app.infra.LocalServers;
import io.dynrag.embedded.EmbeddedKafka;
import io.dynrag.embedded.EmbeddedPostgres;
import io.dynrag.embedded.EmbeddedS3;

import java.net.URI;
import java.nio.file.Path;

/**
 * The embedded servers on the dev data directory: the one place that knows where each keeps its
 * data there. {@link DevMode} runs on them, and {@code verify}, {@code replay} and
 * {@code admin create-admin} open them while {@code dev} is not running.
 */
final class DataDirectoryServers implements LocalServers {

    @Override
    public Database startDatabase(Path dataDir) {
        return new Postgres(EmbeddedPostgres.start(dataDir.resolve("postgres"), 0));
    }

    @Override
    public Broker startKafka(Path dataDir) {
        return startKafka(dataDir, 0);
    }

    /** @param port the port clients connect on, 0 for a free one */
    Broker startKafka(Path dataDir, int port) {
        return new Kafka(EmbeddedKafka.start(dataDir.resolve("kafka"), port));
    }

    @Override
    public ObjectStore startObjectStore(Path dataDir, String accessKey, String secretKey) {
        return new S3(EmbeddedS3.start(dataDir.resolve("s3"), 0, accessKey, secretKey));
    }

    private record Postgres(EmbeddedPostgres server) implements Database {
        @Override
        public String jdbcUrl() {
            return server.jdbcUrl();
        }

        @Override
        public String user() {
            return server.user();
        }

        @Override
        public String password() {
            return server.password();
        }

        @Override
        public void close() {
            server.close();
        }
    }

    private record Kafka(EmbeddedKafka server) implements Broker {
        @Override
        public String bootstrapServers() {
            return server.bootstrapServers();
        }

        @Override
        public void close() {
            server.close();
        }
    }

    private record S3(EmbeddedS3 server) implements ObjectStore {
        @Override
        public URI endpoint() {
            return server.endpoint();
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
