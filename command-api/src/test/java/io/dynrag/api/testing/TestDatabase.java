package io.dynrag.api.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dynrag.api.persistence.Migrations;
import io.dynrag.api.persistence.ThreadBoundTransactionManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One real PostgreSQL for the whole test JVM, migrated like production, with the connection pool the
 * command side uses (search_path = the {@code command} schema). The server stops with the JVM.
 */
public final class TestDatabase {

    private static final int POOL_SIZE = 16;
    private static TestDatabase instance;

    private final HikariDataSource dataSource;
    private final ThreadBoundTransactionManager transactions;

    private TestDatabase(HikariDataSource dataSource) {
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
        HikariConfig config = new HikariConfig();
        config.setPoolName("test-command");
        config.setJdbcUrl(server.getJdbcUrl("postgres", "postgres"));
        config.setConnectionInitSql("SET search_path TO " + Migrations.SCHEMA);
        config.setMaximumPoolSize(POOL_SIZE);
        HikariDataSource dataSource = new HikariDataSource(config);
        Migrations.migrate(dataSource);
        Runtime.getRuntime().addShutdownHook(new Thread(dataSource::close, "test-database-pool"));
        return new TestDatabase(dataSource);
    }
}
