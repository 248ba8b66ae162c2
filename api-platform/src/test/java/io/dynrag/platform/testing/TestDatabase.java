package io.dynrag.platform.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dynrag.platform.persistence.Migrations;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL for the whole test JVM, migrated like production (the command history; a module with a
 * history of its own, as webhooks, migrates it on top), with the connection pool the command side uses
 * (search_path = the {@code command} schema). The server stops with the JVM.
 */
public final class TestDatabase {

    private static final int POOL_SIZE = 16;
    private static TestDatabase instance;

    private final EmbeddedPostgres server;
    private final HikariDataSource dataSource;
    private final ThreadBoundTransactionManager transactions;
    private final AtomicInteger databases = new AtomicInteger();

    private TestDatabase(EmbeddedPostgres server, HikariDataSource dataSource) {
        this.server = server;
        this.dataSource = dataSource;
        this.transactions = new ThreadBoundTransactionManager(dataSource);
    }

    public static synchronized TestDatabase get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    public ThreadBoundTransactionManager transactions() {
        return transactions;
    }

    /** The pool itself, for code that takes connections of its own outside any transaction. */
    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * A new, empty database on the same server, for a test that migrates one from nothing (or from an older
     * history); its connections use the command schema, as the test database's do. Closed with the JVM.
     */
    public DataSource emptyDatabase() {
        String name = "empty_" + databases.incrementAndGet();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the database " + name, e);
        }
        HikariDataSource empty = pool("test-" + name, server.getJdbcUrl("postgres", name), 4);
        Runtime.getRuntime().addShutdownHook(new Thread(empty::close, "test-database-" + name));
        return empty;
    }

    /** Empties the tables (and whatever references them) so each test starts from nothing. */
    public void truncate(String... tables) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("TRUNCATE " + String.join(", ", tables) + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot empty " + String.join(", ", tables), e);
        }
    }

    /** Runs a query that answers one value, for assertions on what is stored. */
    public <T> T queryOne(String sql, Class<T> type, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
             var statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (var row = statement.executeQuery()) {
                return row.next() ? row.getObject(1, type) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("query failed: " + sql, e);
        }
    }

    private static TestDatabase start() {
        EmbeddedPostgres server;
        try {
            // Binaries unpack into -Dot.epg.working-dir (target/tmp/epg, set by the build), the cluster beside them.
            server = EmbeddedPostgres.builder()
                    .setServerConfig("unix_socket_directories", "")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL did not start", e);
        }
        HikariDataSource dataSource = pool("test-command", server.getJdbcUrl("postgres", "postgres"), POOL_SIZE);
        Migrations.migrate(dataSource);
        Runtime.getRuntime().addShutdownHook(new Thread(dataSource::close, "test-database-pool"));
        return new TestDatabase(server, dataSource);
    }

    private static HikariDataSource pool(String name, String jdbcUrl, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(jdbcUrl);
        config.setConnectionInitSql("SET search_path TO " + Migrations.SCHEMA);
        config.setMaximumPoolSize(size);
        return new HikariDataSource(config);
    }
}
