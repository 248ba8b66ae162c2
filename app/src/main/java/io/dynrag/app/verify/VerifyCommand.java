package io.dynrag.app.verify;

import com.zaxxer.hikari.HikariDataSource;
import io.dynrag.app.config.InvalidSettingException;
import io.dynrag.app.config.Settings;
import io.dynrag.app.infra.DataSources;
import io.dynrag.app.infra.LanceRoots;
import io.dynrag.app.infra.LocalServers;
import io.dynrag.app.infra.S3Clients;
import io.dynrag.app.infra.S3Settings;
import io.dynrag.platform.persistence.Migrations;
import io.dynrag.vectorstore.LanceChunkStore;
import io.dynrag.vectorstore.LanceLocation;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.PrintStream;
import java.util.Optional;

/**
 * {@code dynrag verify --customer <id>}: replays the customer's events and checks its chunk
 * datasets and uploaded objects against them, printing every discrepancy. Never writes to the
 * database, the datasets or the object store. Uses the configured servers, or the {@code dev} data
 * directory's while {@code dev} is not running (dev launcher only).
 */
public final class VerifyCommand {

    /** The exit status when the stored state differs from the events. */
    public static final int DISCREPANCIES = 4;

    /** The servers holding the events, the uploaded objects and the datasets. */
    public record Servers(String jdbcUrl, String jdbcUser, String jdbcPassword, S3Settings s3, LanceLocation lance) {
    }

    private VerifyCommand() {
    }

    public static int run(Settings settings, Optional<LocalServers> localServers, String[] args, PrintStream out) {
        String customerId = parse(args);
        if (settings.jdbcUrl().isPresent() || settings.s3Endpoint().isPresent()) {
            S3Settings s3 = S3Settings.external(settings);
            return verify(new Servers(settings.jdbcUrl().orElseThrow(() -> missing("DYNRAG_JDBC_URL")),
                    settings.jdbcUser(), settings.jdbcPassword(), s3,
                    LanceRoots.of(settings, s3)), customerId, out);
        }
        LocalServers local = localServers.orElseThrow(() ->
                LocalServers.notConfigured(
                        "DYNRAG_JDBC_URL (and DYNRAG_S3_ENDPOINT unless the objects are on AWS S3)"));
        LocalServers.Database postgres;
        try {
            postgres = local.startDatabase(settings.dataDir());
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open the database in " + settings.dataDir()
                    + "; stop 'dynrag dev' first", e);
        }
        LanceLocation.S3Key key = S3Settings.embeddedKey(settings);
        try (postgres; LocalServers.ObjectStore s3 = local.startObjectStore(settings.dataDir(), key.id(),
                key.secret())) {
            S3Settings embedded = S3Settings.embedded(settings, s3.endpoint());
            return verify(new Servers(postgres.jdbcUrl(), postgres.user(), postgres.password(), embedded,
                    LanceRoots.of(settings, embedded, LanceRoots.devDefault(settings, embedded))), customerId, out);
        }
    }

    /** @return the customer id */
    public static String parse(String[] args) {
        if (args.length == 0 || !args[0].equals("--customer")) {
            throw new InvalidSettingException("use: verify --customer <id>");
        }
        if (args.length == 1 || args[1].isBlank()) {
            throw new InvalidSettingException("--customer needs a customer id");
        }
        if (args.length > 2) {
            throw new InvalidSettingException("unexpected argument '" + args[2] + "'");
        }
        return args[1];
    }

    /** @return 0 when everything matches the events, else {@value #DISCREPANCIES} */
    public static int verify(Servers servers, String customerId, PrintStream out) {
        try (HikariDataSource command = DataSources.readOnlyPool(servers.jdbcUrl(), servers.jdbcUser(),
                servers.jdbcPassword(), Migrations.SCHEMA, 2);
             S3Client s3 = S3Clients.create(servers.s3());
             LanceChunkStore store = new LanceChunkStore(servers.lance())) {
            VerificationReport report = new CustomerVerification(new StoredEventHistory(command),
                    models -> LanceDatasets.pin(store, customerId, models),
                    new S3UploadedObjects(s3, servers.s3().bucket())).verify(customerId);
            report.print(out);
            return report.discrepancies().isEmpty() ? 0 : DISCREPANCIES;
        } catch (CustomerVerification.UnknownCustomerException e) {
            throw new InvalidSettingException(e.getMessage());
        }
    }

    private static InvalidSettingException missing(String variable) {
        return new InvalidSettingException(variable + " must be set as well to verify against external servers");
    }
}
