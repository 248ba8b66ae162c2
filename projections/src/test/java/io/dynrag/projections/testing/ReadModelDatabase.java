package io.dynrag.projections.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dynrag.projections.AppliedRecords;
import io.dynrag.projections.Projection;
import io.dynrag.projections.Projections;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One real PostgreSQL for the whole test JVM, with the read-model tables migrated as the projections
 * role migrates them, into {@value Projections#SCHEMA} or into any other schema (a rebuild's). The
 * server stops with the JVM.
 */
public final class ReadModelDatabase {

    private static ReadModelDatabase instance;

    private final EmbeddedPostgres server;
    private final Map<String, HikariDataSource> bySchema = new HashMap<>();

    private ReadModelDatabase(EmbeddedPostgres server) {
        this.server = server;
    }

    public static synchronized ReadModelDatabase get() {
        if (instance == null) {
            try {
                // Binaries unpack into -Dot.epg.working-dir (target/tmp/epg, set by the build), the cluster beside them.
                instance = new ReadModelDatabase(EmbeddedPostgres.builder()
                        .setServerConfig("unix_socket_directories", "")
                        .start());
            } catch (IOException e) {
                throw new UncheckedIOException("PostgreSQL did not start", e);
            }
        }
        return instance;
    }

    /** Connections whose search path is {@code schema}, its tables migrated and emptied. */
    public synchronized DataSource emptySchema(String schema) {
        HikariDataSource dataSource = bySchema.computeIfAbsent(schema, this::pool);
        Projections.migrate(dataSource, schema);
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            List<String> tables = tables(connection, schema);
            if (!tables.isEmpty()) {
                statement.execute("TRUNCATE " + String.join(", ", tables));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot empty schema " + schema, e);
        }
        return dataSource;
    }

    /** Applies the records as the projection's runner does: in one transaction, with their offsets. */
    public static void apply(DataSource dataSource, Projection projection, List<ConsumerRecord<String, byte[]>> records) {
        try (Connection connection = dataSource.getConnection()) {
            AppliedRecords.apply(connection, projection, records, true);
        } catch (SQLException e) {
            throw new IllegalStateException("applying records failed", e);
        }
    }

    /** The one value a query answers, or null without a row. */
    public static Object value(DataSource dataSource, String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setObject(i + 1, parameters[i]);
            }
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getObject(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("query failed: " + sql, e);
        }
    }

    /** Every row of a table as text, sorted: two tables with the same rows give the same list. */
    public static List<String> rows(DataSource dataSource, String table) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("SELECT t::text FROM " + table + " t ORDER BY 1");
             ResultSet rows = query.executeQuery()) {
            List<String> all = new ArrayList<>();
            while (rows.next()) {
                all.add(rows.getString(1));
            }
            return all;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + table, e);
        }
    }

    private HikariDataSource pool(String schema) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("test-" + schema);
        config.setJdbcUrl(server.getJdbcUrl("postgres", "postgres"));
        config.setConnectionInitSql("SET search_path TO " + schema);
        config.setMaximumPoolSize(4);
        HikariDataSource dataSource = new HikariDataSource(config);
        Runtime.getRuntime().addShutdownHook(new Thread(dataSource::close, "test-pool-" + schema));
        return dataSource;
    }

    private static List<String> tables(Connection connection, String schema) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name <> 'flyway_history'")) {
            query.setString(1, schema);
            try (ResultSet rows = query.executeQuery()) {
                List<String> tables = new ArrayList<>();
                while (rows.next()) {
                    tables.add(schema + "." + rows.getString(1));
                }
                return tables;
            }
        }
    }
}
