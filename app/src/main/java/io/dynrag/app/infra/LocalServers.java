package io.dynrag.app.infra;

import io.dynrag.app.config.InvalidSettingException;

import java.net.URI;
import java.nio.file.Path;

/**
 * The servers that keep their data in the dev data directory ({@code DYNRAG_DATA_DIR}), started in
 * this process by a command that runs while {@code dynrag dev} does not: {@code verify},
 * {@code replay} and {@code admin create-admin} use them when no servers are configured. Only the
 * dev launcher (module {@code dev}) has them; the production launcher is built without embedded
 * servers, so there those commands need configured servers (see {@link #notConfigured}).
 *
 * <p>Each start fails (with the server's own error) when another process holds the directory,
 * typically a running {@code dynrag dev}.
 */
public interface LocalServers {

    /** PostgreSQL on the data directory's database, on a free port; creates it on first use. */
    Database startDatabase(Path dataDir);

    /** The Kafka node (broker and controller) on the data directory's logs, on free ports. */
    Broker startKafka(Path dataDir);

    /** The S3 API on the data directory's objects, on a free port, answering requests signed with this key. */
    ObjectStore startObjectStore(Path dataDir, String accessKey, String secretKey);

    /** A started PostgreSQL; closing stops it. */
    interface Database extends AutoCloseable {
        String jdbcUrl();

        String user();

        String password();

        @Override
        void close();
    }

    /** A started Kafka node; closing stops it. */
    interface Broker extends AutoCloseable {
        String bootstrapServers();

        @Override
        void close();
    }

    /** A started S3 API server; closing stops it. */
    interface ObjectStore extends AutoCloseable {
        URI endpoint();

        @Override
        void close();
    }

    /**
     * The answer of a command that would use the dev data directory in a launcher that has no
     * embedded servers (the production image).
     *
     * @param variables the settings that name the servers the command needs
     */
    static InvalidSettingException notConfigured(String variables) {
        return new InvalidSettingException("no servers are configured: set " + variables
                + ", or use the dev launcher (./dynrag) to work on the dev data directory");
    }
}
