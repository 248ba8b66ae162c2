package io.dynrag.webhooks;

import io.dynrag.platform.persistence.Migrations;
import org.flywaydb.core.Flyway;

import javax.sql.DataSource;

/**
 * The webhook tables' own Flyway history: {@value #HISTORY}, in the command schema beside the command history
 * ({@link Migrations}), so the webhooks' migrations evolve on their own. Databases migrated before it hold the
 * webhook tables already (V6 of the command history created them, rows and all): {@code V1__webhooks.sql} creates
 * each table and index only where it is missing, so there it leaves them as they are, and a new database gets them
 * from it. The command schema is never empty when this history starts (the command history's tables live there),
 * so the history opens with a baseline below V1, which V1 then follows everywhere.
 */
public final class WebhookMigrations {

    public static final String HISTORY = "flyway_webhooks_history";

    private WebhookMigrations() {
    }

    public static void migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(Migrations.SCHEMA)
                .defaultSchema(Migrations.SCHEMA)
                .table(HISTORY)
                .locations("classpath:db/migration/webhooks")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .baselineDescription("webhooks history opened in the command schema")
                .load()
                .migrate();
    }
}
