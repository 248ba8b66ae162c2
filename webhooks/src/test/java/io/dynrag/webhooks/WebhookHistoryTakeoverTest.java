package io.dynrag.webhooks;

import io.dynrag.platform.crypto.KeyEncryption;
import io.dynrag.platform.crypto.KeyEncryptionKeys;
import io.dynrag.platform.http.Json;
import io.dynrag.platform.persistence.Migrations;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import io.dynrag.platform.testing.MutableClock;
import io.dynrag.platform.testing.TestDatabase;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The webhook tables move from the command history (its V6) to the webhooks' own: a database migrated before
 * keeps its webhooks, deliveries and consumer offsets, and ends up with exactly the tables a new database gets.
 */
class WebhookHistoryTakeoverTest {

    /** The command history as it was before the hand-over: today's scripts and V6, byte for byte as it ran. */
    private static final String[] COMMAND_HISTORY_BEFORE = {"classpath:db/migration/command",
            "classpath:db/migration/command-v6"};
    private static final String WEBHOOK_URL = "https://hooks.example.com/dynrag";

    private final TestDatabase server = TestDatabase.get();
    private final MutableClock clock = MutableClock.atRealTime();
    private final KeyEncryption keyEncryption = new KeyEncryption(KeyEncryptionKeys.generate("test"));

    @Test
    void aDatabaseMigratedBeforeKeepsItsWebhooksDeliveriesAndOffsets() {
        DataSource database = server.emptyDatabase();
        migrateAsBefore(database, COMMAND_HISTORY_BEFORE);
        Components before = new Components(database);
        Webhooks.Created created = before.webhooks.create("cust-a", UUID.randomUUID(), WEBHOOK_URL,
                Set.of(WebhookEventType.DOCUMENT_INDEXED), "kept", true);
        UUID webhookId = created.webhook().webhookId();
        before.deliveries.enqueue(new WebhookEvent("event-1", "cust-a", WebhookEventType.DOCUMENT_INDEXED,
                clock.instant(), Map.of("documentId", "doc-1", "version", 1)));
        execute(database, "INSERT INTO webhook_offset (topic, partition, next_offset) "
                + "VALUES ('dynrag.document-events.v1', 0, 42)");
        List<WebhookDeliveries.Delivery> deliveriesBefore = before.deliveries.page(webhookId, null, 10);

        Migrations.migrate(database);
        WebhookMigrations.migrate(database);

        Components after = new Components(database);
        assertThat(after.webhooks.find("cust-a", webhookId)).contains(created.webhook());
        assertThat(after.webhooks.target(webhookId).orElseThrow().secrets()).containsExactly(created.secret());
        assertThat(after.deliveries.page(webhookId, null, 10)).hasSize(1).isEqualTo(deliveriesBefore);
        assertThat(count(database, "SELECT next_offset FROM webhook_offset WHERE partition = 0")).isEqualTo(42);
        assertThat(stateOf(commandHistory(database), "6")).isEqualTo(MigrationState.DELETED);
        assertThat(pending(commandHistory(database))).isEmpty();
        assertThat(stateOf(webhooksHistory(database), "1")).isEqualTo(MigrationState.SUCCESS);
        assertThat(shapeOfWebhookTables(database)).isEqualTo(shapeOfWebhookTables(migratedFromNothing()));
    }

    @Test
    void startingAgainAfterTheHandOverChangesNothing() {
        DataSource database = server.emptyDatabase();
        migrateAsBefore(database, COMMAND_HISTORY_BEFORE);
        Migrations.migrate(database);
        WebhookMigrations.migrate(database);
        List<String> command = describe(commandHistory(database));
        List<String> webhooks = describe(webhooksHistory(database));

        Migrations.migrate(database);
        WebhookMigrations.migrate(database);

        assertThat(describe(commandHistory(database))).isEqualTo(command);
        assertThat(describe(webhooksHistory(database))).isEqualTo(webhooks);
    }

    @Test
    void aNewDatabaseGetsTheWebhookTablesFromTheWebhooksHistoryAlone() {
        DataSource database = migratedFromNothing();

        assertThat(Arrays.stream(commandHistory(database).info().all()).map(MigrationInfo::getScript))
                .doesNotContain("V6__webhooks.sql");
        assertThat(stateOf(webhooksHistory(database), "1")).isEqualTo(MigrationState.SUCCESS);
        assertThat(shapeOfWebhookTables(database)).containsKeys("webhook", "webhook_delivery", "webhook_offset");
    }

    /** Only the script handed over is forgiven: another applied migration this build lacks still stops the start. */
    @Test
    void anotherMissingMigrationStillFailsTheCommandHistory() {
        DataSource database = server.emptyDatabase();
        migrateAsBefore(database, "classpath:db/migration/command", "classpath:db/migration/command-v6",
                "classpath:db/migration/command-v6-1");

        assertThatThrownBy(() -> Migrations.migrate(database)).hasMessageContaining("6.1");
        assertThat(stateOf(commandHistory(database), "6")).isEqualTo(MigrationState.MISSING_SUCCESS);
    }

    /** The webhook components on a database of the test's own. */
    private final class Components {

        final WebhookDeliveries deliveries;
        final Webhooks webhooks;

        Components(DataSource database) {
            ThreadBoundTransactionManager transactions = new ThreadBoundTransactionManager(database);
            this.deliveries = new WebhookDeliveries(transactions, Json.apiMapper(), WebhookSettings.DEFAULTS,
                    new RetrySchedule(WebhookSettings.DEFAULTS, new Random(7)), clock);
            this.webhooks = new Webhooks(transactions, keyEncryption, deliveries, clock);
        }
    }

    private DataSource migratedFromNothing() {
        DataSource database = server.emptyDatabase();
        Migrations.migrate(database);
        WebhookMigrations.migrate(database);
        return database;
    }

    /** The command history as the code before the hand-over ran it. */
    private static void migrateAsBefore(DataSource database, String... locations) {
        Flyway.configure().dataSource(database).schemas(Migrations.SCHEMA).defaultSchema(Migrations.SCHEMA)
                .table("flyway_history").locations(locations).load().migrate();
    }

    private static Flyway commandHistory(DataSource database) {
        return Flyway.configure().dataSource(database).schemas(Migrations.SCHEMA).defaultSchema(Migrations.SCHEMA)
                .table("flyway_history").locations("classpath:db/migration/command").load();
    }

    private static Flyway webhooksHistory(DataSource database) {
        return Flyway.configure().dataSource(database).schemas(Migrations.SCHEMA).defaultSchema(Migrations.SCHEMA)
                .table(WebhookMigrations.HISTORY).locations("classpath:db/migration/webhooks").load();
    }

    private static MigrationState stateOf(Flyway history, String version) {
        return Arrays.stream(history.info().all())
                .filter(migration -> migration.getVersion() != null
                        && migration.getVersion().getVersion().equals(version))
                .map(MigrationInfo::getState)
                .reduce((first, later) -> later)
                .orElseThrow(() -> new AssertionError("no migration " + version));
    }

    private static List<MigrationInfo> pending(Flyway history) {
        return Arrays.asList(history.info().pending());
    }

    private static List<String> describe(Flyway history) {
        return Arrays.stream(history.info().all())
                .map(migration -> migration.getInstalledRank() + " " + migration.getVersion() + " "
                        + migration.getDescription() + " " + migration.getState())
                .toList();
    }

    /** Every column (name, type, nullability, default) and index of the webhook tables, by table. */
    private static Map<String, List<String>> shapeOfWebhookTables(DataSource database) {
        Map<String, List<String>> shape = new TreeMap<>();
        query(database, """
                SELECT table_name, column_name || ' ' || data_type || ' ' || is_nullable || ' '
                       || coalesce(column_default, '') || ' ' || coalesce(character_maximum_length::text, '')
                FROM information_schema.columns
                WHERE table_schema = 'command' AND table_name LIKE 'webhook%'
                ORDER BY table_name, ordinal_position""", shape);
        query(database, """
                SELECT tablename, indexdef FROM pg_indexes
                WHERE schemaname = 'command' AND tablename LIKE 'webhook%' ORDER BY tablename, indexname""", shape);
        query(database, """
                SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint
                WHERE connamespace = 'command'::regnamespace AND conrelid::regclass::text LIKE 'webhook%'
                ORDER BY conrelid::regclass::text, conname""", shape);
        return shape;
    }

    private static void query(DataSource database, String sql, Map<String, List<String>> rowsByTable) {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                rowsByTable.computeIfAbsent(rows.getString(1), table -> new ArrayList<>()).add(rows.getString(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static void execute(DataSource database, String sql) {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static long count(DataSource database, String sql) {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            return row.next() ? row.getLong(1) : -1;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
