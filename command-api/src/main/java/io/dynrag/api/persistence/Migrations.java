package io.dynrag.api.persistence;

import org.flywaydb.core.Flyway;

import javax.sql.DataSource;

/** Schema migrations of the command side: one Flyway history in its own PostgreSQL schema. */
public final class Migrations {

    public static final String SCHEMA = "command";

    private Migrations() {
    }

    public static void migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(SCHEMA)
                .defaultSchema(SCHEMA)
                .table("flyway_history")
                .locations("classpath:db/migration/command")
                .load()
                .migrate();
    }
}
