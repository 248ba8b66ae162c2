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
        return new HikariDataSource(config);
    }
}
