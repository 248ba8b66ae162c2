package io.dynrag.app.replay;

import com.zaxxer.hikari.HikariDataSource;
import io.dynrag.api.publishing.StoredEventRecords;
import io.dynrag.app.config.InvalidSettingException;
import io.dynrag.app.config.Settings;
import io.dynrag.app.infra.DataSources;
import io.dynrag.app.infra.ExternalKafka;
import io.dynrag.app.infra.LocalServers;
import io.dynrag.platform.persistence.Migrations;
import io.dynrag.projections.Projection;
import io.dynrag.projections.Projections;
import io.dynrag.projections.replay.ProjectionReplay.Source;
import io.dynrag.projections.replay.ProjectionReplay;
import io.dynrag.schemas.connection.KafkaConnection;

import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code dynrag replay <projection>|all [--from kafka|events] [--swap]}: rebuilds read models from
 * offset 0 into a schema of their own, compares them with the live tables and, with
 * {@code --swap}, replaces the live tables. Uses the configured servers, or the {@code dev} data
 * directory's while {@code dev} is not running (dev launcher only).
 */
public final class ReplayCommand {

    /** The exit status when a rebuilt projection differs from the live one and was not swapped in. */
    public static final int DIFFERENT = 3;
    static final Duration LIVE_CATCH_UP_TIMEOUT = Duration.ofMinutes(2);

    public record Options(List<Projection> projections, Source source, boolean swap) {
    }

    /** The servers holding the projections and their topics. */
    public record Servers(KafkaConnection kafka, String jdbcUrl, String jdbcUser, String jdbcPassword) {
    }

    private ReplayCommand() {
    }

    public static int run(Settings settings, Optional<LocalServers> localServers, String[] args, PrintStream out) {
        Options options = parse(args);
        if (settings.jdbcUrl().isPresent() || settings.kafkaBootstrapServers().isPresent()) {
            Servers servers = new Servers(ExternalKafka.connection(settings,
                    settings.kafkaBootstrapServers().orElseThrow(() -> missing("DYNRAG_KAFKA_BOOTSTRAP_SERVERS"))),
                    settings.jdbcUrl().orElseThrow(() -> missing("DYNRAG_JDBC_URL")),
                    settings.jdbcUser(), settings.jdbcPassword());
            return replay(servers, options, out);
        }
        LocalServers local = localServers.orElseThrow(() ->
                LocalServers.notConfigured("DYNRAG_JDBC_URL and DYNRAG_KAFKA_BOOTSTRAP_SERVERS"));
        LocalServers.Database postgres;
        LocalServers.Broker kafka;
        try {
            postgres = local.startDatabase(settings.dataDir());
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open the database in " + settings.dataDir()
                    + "; stop 'dynrag dev' first", e);
        }
        try (postgres) {
            try {
                kafka = local.startKafka(settings.dataDir());
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot open Kafka in " + settings.dataDir()
                        + "; stop 'dynrag dev' first", e);
            }
            try (kafka) {
                return replay(new Servers(KafkaConnection.to(kafka.bootstrapServers()), postgres.jdbcUrl(),
                        postgres.user(), postgres.password()), options, out);
            }
        }
    }

    public static Options parse(String[] args) {
        if (args.length == 0) {
            throw new InvalidSettingException("name a projection to replay: " + names() + " or all");
        }
        List<Projection> projections = args[0].equals("all") ? Projections.all()
                : Projections.all().stream().filter(p -> p.name().equals(args[0])).toList();
        if (projections.isEmpty()) {
            throw new InvalidSettingException("unknown projection '" + args[0] + "'; there are " + names());
        }
        Source source = Source.KAFKA;
        boolean swap = false;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--swap" -> swap = true;
                case "--from" -> {
                    if (i + 1 == args.length) {
                        throw new InvalidSettingException("--from needs kafka or events");
                    }
                    source = switch (args[++i].toLowerCase(Locale.ROOT)) {
                        case "kafka" -> Source.KAFKA;
                        case "events" -> Source.EVENT_STORE;
                        default -> throw new InvalidSettingException("--from must be kafka or events, not '"
                                + args[i] + "'");
                    };
                }
                default -> throw new InvalidSettingException("unexpected argument '" + args[i] + "'");
            }
        }
        if (swap && source == Source.EVENT_STORE) {
            throw new InvalidSettingException("--swap needs --from kafka: a rebuild from the event store has no "
                    + "Kafka offsets to continue from");
        }
        return new Options(projections, source, swap);
    }

    /** @return 0 when every projection is identical or was swapped in, else {@value #DIFFERENT} */
    public static int replay(Servers servers, Options options, PrintStream out) {
        List<ProjectionReplay.Report> reports = new ArrayList<>();
        try (HikariDataSource live = pool(servers, Projections.SCHEMA);
             HikariDataSource command = pool(servers, Migrations.SCHEMA)) {
            Projections.migrate(live, Projections.SCHEMA);
            for (Projection projection : options.projections()) {
                String schema = "replay_" + projection.name();
                try (HikariDataSource rebuilt = pool(servers, schema)) {
                    ProjectionReplay.Report report = new ProjectionReplay(projection, live, rebuilt, schema,
                            servers.kafka(), LIVE_CATCH_UP_TIMEOUT)
                            .run(options.source(), () -> StoredEventRecords.read(command), options.swap());
                    print(report, out);
                    reports.add(report);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the replay failed in the database: " + e.getMessage(), e);
        }
        return reports.stream().allMatch(report -> report.swapped() || report.identical()) ? 0 : DIFFERENT;
    }

    private static void print(ProjectionReplay.Report report, PrintStream out) {
        out.printf("Replayed '%s' from %s: %d records in %.1f s%n", report.projection(),
                report.source() == Source.KAFKA ? "Kafka" : "the event store and Kafka", report.recordsApplied(),
                report.took().toMillis() / 1000.0);
        for (ProjectionReplay.TableComparison table : report.tables()) {
            out.printf("  %-18s live %8d rows   rebuilt %8d rows   %s%n", table.table(), table.liveRows(),
                    table.rebuiltRows(), table.identical() ? "identical" : "DIFFERENT");
        }
        if (report.liveBehind() > 0) {
            out.printf("  The live tables are %d offsets behind (is the projections role stopped?); "
                    + "differences are expected.%n", report.liveBehind());
        }
        if (report.swapped()) {
            out.println("  Swapped in: the live tables are now the rebuilt ones.");
        } else if (!report.identical()) {
            out.println("  The rebuilt tables are kept in schema " + report.schema() + " for inspection; "
                    + "run again with --swap to replace the live ones.");
        }
        out.flush();
    }

    private static HikariDataSource pool(Servers servers, String schema) {
        return DataSources.pool(servers.jdbcUrl(), servers.jdbcUser(), servers.jdbcPassword(), schema, 2);
    }

    private static String names() {
        return String.join(", ", Projections.all().stream().map(Projection::name).toList());
    }

    private static InvalidSettingException missing(String variable) {
        return new InvalidSettingException(variable + " must be set as well to replay against external servers");
    }
}
