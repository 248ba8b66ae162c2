package io.dynrag.app;

import io.dynrag.app.admin.CreateAdminCommand;
import io.dynrag.app.replay.ReplayCommand;
import io.dynrag.app.config.InvalidSettingException;
import io.dynrag.app.config.Settings;
import io.dynrag.app.infra.ExternalKafka;
import io.dynrag.app.infra.Infrastructure;
import io.dynrag.app.infra.LanceRoots;
import io.dynrag.app.infra.S3Settings;
import io.dynrag.app.roles.Role;
import io.dynrag.app.roles.RoleRequirements;
import io.dynrag.app.roles.RunningRoles;
import io.dynrag.app.verify.VerifyCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code dynrag} command, and the production launcher: the image's executable, built from this
 * module alone. The dev and benchmark launchers add their commands through {@link #launch}.
 */
public final class Main {

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    static final String USAGE = """
            Usage: dynrag <command>

              dev                    run everything in this process on embedded Kafka, PostgreSQL and S3
                                     (data in $DYNRAG_DATA_DIR, default ./.dynrag; Kafka for consumers
                                     on 127.0.0.1:$DYNRAG_KAFKA_PORT, default 9092)
              run <role>...          run roles against external servers; roles: api, pipeline, projections
                                     (needs DYNRAG_KAFKA_BOOTSTRAP_SERVERS, DYNRAG_JDBC_URL, and
                                     DYNRAG_S3_ENDPOINT unless on AWS S3)
              admin create-admin --email <email>
                                     create an operator account (password from DYNRAG_ADMIN_PASSWORD or
                                     asked for) in the configured database, or in the dev data directory
              replay <projection>|all [--from kafka|events] [--swap]
                                     rebuild read models (documents, usage) from offset 0 beside the
                                     live ones and compare them; --swap replaces the live tables
              verify --customer <id> check the customer's Lance datasets (latest and every recorded version)
                                     and stored objects against its events; exit status 4 on any discrepancy
              bench <benchmark>...|all [--documents N] [--word-pieces N] [--samples N] [--rate N]
                    [--seconds N] [--warmup N] [--seed N] [--chunks N] [--filters] [--set <name>]
                                     measure on fresh embedded servers and print Markdown tables;
                                     benchmarks: startup, ingest, incremental, searchable, api, search,
                                     retrieval (on the labelled set --set names: postgresql, the
                                     default, or python)
              help                   show this text

            Configuration is read from DYNRAG_* environment variables; see the README.
            dev, bench and the dev data directory are part of ./dynrag (the dev launcher, run from a
            checkout of the repository), not of the production image.
            """;

    /** Commands of the other launchers, and where to find them, for the production launcher's answer. */
    private static final Map<String, String> OTHER_LAUNCHERS = Map.of(
            "dev", "the dev launcher (./dynrag dev)",
            "bench", "the benchmarks' launcher (./dynrag bench)");

    private Main() {
    }

    public static void main(String[] args) {
        launch(Launcher.PRODUCTION, args);
    }

    /** Runs the command {@code args} name with {@code launcher}'s additions and exits with its status. */
    public static void launch(Launcher launcher, String[] args) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        int status = run(launcher, args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(Launcher.PRODUCTION, args, out, err);
    }

    /** @return the exit status: 0 done, 2 bad arguments or settings, 1 an error; commands add their own */
    public static int run(Launcher launcher, String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        try {
            Settings settings = Settings.fromEnvironment();
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            return switch (args[0]) {
                case "run" -> runRoles(parseRoles(rest), settings, out);
                case "admin" -> admin(rest, settings, launcher, out);
                case "replay" -> ReplayCommand.run(settings, launcher.localServers(), rest, out);
                case "verify" -> VerifyCommand.run(settings, launcher.localServers(), rest, out);
                default -> launcherCommand(launcher, args[0]).run(settings, rest, out);
            };
        } catch (UsageException | InvalidSettingException e) {
            err.println("dynrag: " + e.getMessage());
            err.println();
            err.print(USAGE);
            return 2;
        } catch (RuntimeException e) {
            log.error("dynrag stopped because of an error", e);
            err.println("dynrag: " + e.getMessage());
            return 1;
        }
    }

    private static Launcher.Command launcherCommand(Launcher launcher, String name) {
        Launcher.Command command = launcher.commands().get(name);
        if (command != null) {
            return command;
        }
        if (OTHER_LAUNCHERS.containsKey(name)) {
            throw new UsageException("'" + name + "' is not part of this build: it runs in "
                    + OTHER_LAUNCHERS.get(name) + ", from a checkout of the repository");
        }
        throw new UsageException("unknown command '" + name + "'");
    }

    private static int runRoles(Set<Role> roles, Settings settings, PrintStream out) {
        RoleRequirements.checkForExternalServers(roles, settings);
        S3Settings s3 = S3Settings.external(settings);
        Infrastructure infrastructure = new Infrastructure(ExternalKafka.connection(settings,
                settings.kafkaBootstrapServers().orElseThrow()),
                settings.jdbcUrl().orElseThrow(), settings.jdbcUser(), settings.jdbcPassword(),
                s3, LanceRoots.of(settings, s3));
        RunningRoles running = RunningRoles.start(roles, settings, infrastructure);
        out.println("Dynamic RAG roles " + roles + " running against " + infrastructure);
        if (roles.contains(Role.API)) {
            out.println("  API: http://" + displayHost(settings.httpHost()) + ":" + running.httpPort());
        }
        out.println("  Management: http://" + displayHost(settings.managementHost()) + ":" + running.managementPort()
                + " (/metrics, /health/live, /health/ready)");
        out.flush();
        awaitShutdown(running);
        return 0;
    }

    private static int admin(String[] args, Settings settings, Launcher launcher, PrintStream out) {
        if (args.length != 3 || !args[0].equals("create-admin") || !args[1].equals("--email")) {
            throw new UsageException("use: admin create-admin --email <email>");
        }
        CreateAdminCommand.run(settings, launcher.localServers(), args[2], out);
        return 0;
    }

    private static Set<Role> parseRoles(String[] names) {
        if (names.length == 0) {
            throw new UsageException("name at least one role to run");
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : names) {
            try {
                roles.add(Role.valueOf(name.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new UsageException("unknown role '" + name + "'");
            }
        }
        return roles;
    }

    /** Blocks until SIGINT/SIGTERM, then stops everything before the JVM exits. */
    public static void awaitShutdown(AutoCloseable system) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Stopping Dynamic RAG");
            try {
                system.close();
            } catch (Exception e) {
                log.warn("Stopping failed: {}", e.toString());
            } finally {
                stopped.countDown();
            }
        }, "dynrag-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The host to show in a URL the user opens: a wildcard address is reached on localhost. */
    public static String displayHost(String host) {
        return host.equals("0.0.0.0") ? "localhost" : host;
    }

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
