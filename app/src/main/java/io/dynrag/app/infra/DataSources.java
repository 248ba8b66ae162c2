package io.dynrag.app.infra;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/** Connection pools; each owner of tables gets its own pool bound to its own schema. */
public final class DataSources {

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
        return config;
    }
}
