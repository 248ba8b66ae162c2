package io.dynrag.app.infra;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.time.Duration;

/** Connection pools; each owner of tables gets its own pool bound to its own schema. */
public final class DataSources {

    /** The longest a caller waits for a free connection. */
    static final Duration CONNECTION_WAIT = Duration.ofSeconds(5);

    private DataSources() {
    }

    public static HikariDataSource pool(Infrastructure infrastructure, String schema, int size) {
        return pool(infrastructure.jdbcUrl(), infrastructure.jdbcUser(), infrastructure.jdbcPassword(), schema, size);
    }

    public static HikariDataSource pool(String jdbcUrl, String user, String password, String schema, int size) {
        return new HikariDataSource(config(jdbcUrl, user, password, schema, size));
    }

    /** Connections on which PostgreSQL refuses every write, for commands that only inspect. */
    public static HikariDataSource readOnlyPool(String jdbcUrl, String user, String password, String schema,
                                                int size) {
        HikariConfig config = config(jdbcUrl, user, password, schema, size);
        // Enforced by the server for every transaction, auto-commit ones included (JDBC's read-only flag is not).
        config.setConnectionInitSql(config.getConnectionInitSql()
                + "; SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
        config.setReadOnly(true);
        return new HikariDataSource(config);
    }

    private static HikariConfig config(String jdbcUrl, String user, String password, String schema, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("dynrag-" + schema);
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        // Flyway creates the schema on first start, so it cannot be a connection property yet.
        config.setConnectionInitSql("SET search_path TO " + schema);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        // Do not fail the role's start when the database is still starting; retries happen per use.
        config.setInitializationFailTimeout(-1);
        // Past the database's capacity every request queues for a connection. Waiting Hikari's default 30 s
        // before failing held callers for half a minute and let the queue grow; a request that gets no
        // connection within CONNECTION_WAIT is answered 503 with Retry-After, and background work retries.
        config.setConnectionTimeout(CONNECTION_WAIT.toMillis());
        return config;
    }
}
