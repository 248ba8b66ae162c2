package io.dynrag.platform.persistence;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;

import javax.sql.DataSource;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Schema migrations of the command side: the tables of identity, idempotency and the document command side in
 * one Flyway history ({@code flyway_history}) in their own PostgreSQL schema. It runs before any other history
 * kept in this schema (the webhooks' own), which opens beside it.
 */
public final class Migrations {

    public static final String SCHEMA = "command";

    /**
     * Scripts this history ran once and then handed to a history of their own: {@code V6__webhooks.sql} created
     * the webhook tables, which the webhooks module's history now keeps (its V1 takes them over as they are).
     */
    private static final Set<String> HANDED_OVER = Set.of("V6__webhooks.sql");

    private Migrations() {
    }

    public static void migrate(DataSource dataSource) {
        Flyway flyway = Flyway.configure()
                .dataSource(dataSource)
                .schemas(SCHEMA)
                .defaultSchema(SCHEMA)
                .table("flyway_history")
                .locations("classpath:db/migration/command")
                .load();
        forgetHandedOver(flyway);
        flyway.migrate();
    }

    /**
     * A database migrated before a script was handed over lists it as applied, yet no longer finds it, which
     * Flyway's validation refuses. Such an entry is marked deleted (Flyway's repair), once, and only when it is
     * all that is amiss: any other missing, failed or changed migration is left for the validation to report.
     */
    private static void forgetHandedOver(Flyway flyway) {
        List<MigrationInfo> applied = Arrays.stream(flyway.info().all()).filter(MigrationInfo::isApplied).toList();
        boolean handedOverMissing = applied.stream().anyMatch(Migrations::handedOverMissing);
        boolean otherwiseSound = applied.stream().allMatch(migration -> handedOverMissing(migration)
                || !migration.getState().isFailed() && migration.getState().isResolved()
                && migration.isChecksumMatching() && migration.isDescriptionMatching() && migration.isTypeMatching()
                || migration.getState() == MigrationState.DELETED);
        if (handedOverMissing && otherwiseSound) {
            flyway.repair();
        }
    }

    private static boolean handedOverMissing(MigrationInfo migration) {
        return migration.getState() == MigrationState.MISSING_SUCCESS && HANDED_OVER.contains(migration.getScript());
    }
}
