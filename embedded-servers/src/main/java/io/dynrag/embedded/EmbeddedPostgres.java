package io.dynrag.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server (binaries shipped in Maven artifacts) run as a child process, for
 * {@code dev} and tests.
 *
 * <p>Layout of the directory: {@code data/} is the cluster, {@code binaries/} holds the unpacked
 * server binaries (unless {@code -Dot.epg.working-dir} names a shared place for them, as the test
 * build does), {@code postgres.log} the server's output. Starting again on the same directory finds
 * all earlier data. Unlike the library defaults, commits are durable (fsync and
 * synchronous_commit on), because {@code dev} promises that its data survives.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);

    public static final String DATABASE = "dynrag";
    private static final String SHARED_BINARIES_PROPERTY = "ot.epg.working-dir";
    private static final String USER = "postgres";
    // initdb runs with "-A trust": local connections are not asked for a password, so any value works.
    private static final String PASSWORD = "postgres";

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server) {
        this.server = server;
    }

    /**
     * Starts PostgreSQL on {@code port}, or on a free port when {@code port} is 0, and creates the
     * database {@value #DATABASE} if it does not exist yet.
     */
    public static EmbeddedPostgres start(Path directory, int port) {
        Path dataDirectory = directory.resolve("data");
        // Unpacking the binaries takes most of a first start (about 3 of 4 s), so tests share one copy.
        String sharedBinaries = System.getProperty(SHARED_BINARIES_PROPERTY);
        Path binariesDirectory = sharedBinaries == null || sharedBinaries.isBlank()
                ? directory.resolve("binaries")
                : Path.of(sharedBinaries);
        Path logFile = directory.resolve("postgres.log");
        long started = System.nanoTime();
        io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
        try {
            Files.createDirectories(binariesDirectory);
            // Kept apart from the cluster: the library deletes stale clusters it finds in its working directory.
            server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(binariesDirectory.toFile())
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    // Our own shutdown stops the roles first; the library's hook would pull the database away
                    // from under them.
                    .setRegisterShutdownHook(false)
                    .setPort(FreePorts.pickUnless(port))
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    // TCP only: a Unix socket would be created in /tmp, outside the directory we own.
                    .setServerConfig("unix_socket_directories", "")
                    .setOutputRedirector(Redirect.appendTo(logFile.toFile()))
                    .setErrorRedirector(Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL did not start in " + directory + ", see " + logFile, e);
        }
        EmbeddedPostgres postgres = new EmbeddedPostgres(server);
        try {
            postgres.createDatabaseIfAbsent();
        } catch (RuntimeException e) {
            postgres.close();
            throw e;
        }
        log.info("PostgreSQL listening on port {} with data in {} (started in {} ms)",
                server.getPort(), dataDirectory, (System.nanoTime() - started) / 1_000_000);
        return postgres;
    }

    public String jdbcUrl() {
        return jdbcUrl(DATABASE);
    }

    public String user() {
        return USER;
    }

    public String password() {
        return PASSWORD;
    }

    public int port() {
        return server.getPort();
    }

    /** Stops the server (fast shutdown: open transactions roll back, committed data stays). */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException("PostgreSQL did not stop cleanly", e);
            }
        }
    }

    private String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + server.getPort() + "/" + database;
    }

    private void createDatabaseIfAbsent() {
        try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), USER, PASSWORD)) {
            try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                exists.setString(1, DATABASE);
                try (ResultSet row = exists.executeQuery()) {
                    if (row.next()) {
                        return;
                    }
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE DATABASE " + DATABASE);
            }
            log.info("Created database {}", DATABASE);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + DATABASE, e);
        }
    }
}
