package io.dynrag.dev;

import io.dynrag.app.config.InvalidSettingException;
import io.dynrag.app.config.Settings;
import io.dynrag.app.infra.Infrastructure;
import io.dynrag.app.infra.LanceRoots;
import io.dynrag.app.infra.LocalServers;
import io.dynrag.app.infra.S3Settings;
import io.dynrag.app.roles.Role;
import io.dynrag.app.roles.RunningRoles;
import io.dynrag.platform.crypto.KeyEncryptionKeys;
import io.dynrag.platform.crypto.Secrets;
import io.dynrag.schemas.connection.KafkaConnection;
import io.dynrag.vectorstore.LanceLocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The whole system in one JVM: a real Kafka broker, a real PostgreSQL and an S3 API server,
 * all keeping their data under one directory, and every role on top of them.
 */
public final class DevMode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DevMode.class);
    static final String ADMIN_TOKEN_FILE = "admin-token";
    static final String KEK_FILE = "key-encryption-keys";

    private final LocalServers.Database postgres;
    private final LocalServers.Broker kafka;
    private final LocalServers.ObjectStore s3;
    private final RunningRoles roles;
    private final String adminToken;
    private final Infrastructure infrastructure;

    private DevMode(LocalServers.Database postgres, LocalServers.Broker kafka, LocalServers.ObjectStore s3,
                    RunningRoles roles, String adminToken, Infrastructure infrastructure) {
        this.postgres = postgres;
        this.kafka = kafka;
        this.s3 = s3;
        this.roles = roles;
        this.adminToken = adminToken;
        this.infrastructure = infrastructure;
    }

    /** What {@code dynrag dev} runs: every role, and Kafka on {@code DYNRAG_KAFKA_PORT} for consumers outside. */
    public static DevMode start(Settings settings) {
        return start(settings, EnumSet.allOf(Role.class), settings.kafkaPort());
    }

    /**
     * @param roles     the roles to run on the embedded servers; benchmarks leave some out to measure the rest
     * @param kafkaPort the broker's port, 0 for a free one: tests and benchmarks run beside each other and
     *                  beside a running {@code dynrag dev}
     */
    public static DevMode start(Settings settings, Set<Role> roles, int kafkaPort) {
        if (kafkaPort != 0) {
            requireFree(kafkaPort);
        }
        Path data = settings.dataDir();
        String adminToken = settings.adminToken().orElseGet(() -> secretIn(data, ADMIN_TOKEN_FILE,
                () -> Secrets.newSecret("dra_")));
        String keyEncryptionKeys = settings.keyEncryptionKeys().orElseGet(() -> secretIn(data, KEK_FILE,
                () -> KeyEncryptionKeys.generate("dev-" + LocalDate.now(ZoneOffset.UTC)).format()));
        Settings withToken = settings.withDevSecrets(adminToken, keyEncryptionKeys);

        DataDirectoryServers servers = new DataDirectoryServers();
        LocalServers.Database postgres = null;
        LocalServers.Broker kafka = null;
        LocalServers.ObjectStore s3 = null;
        try {
            postgres = servers.startDatabase(data);
            kafka = servers.startKafka(data, kafkaPort);
            LanceLocation.S3Key key = S3Settings.embeddedKey(settings);
            s3 = servers.startObjectStore(data, key.id(), key.secret());
            S3Settings objectStore = S3Settings.embedded(settings, s3.endpoint());
            Infrastructure infrastructure = new Infrastructure(KafkaConnection.to(kafka.bootstrapServers()),
                    postgres.jdbcUrl(), postgres.user(), postgres.password(), objectStore,
                    LanceRoots.of(settings, objectStore, LanceRoots.devDefault(settings, objectStore)));
            log.info("Embedded servers up: {}", infrastructure);
            RunningRoles running = RunningRoles.start(roles, withToken, infrastructure);
            return new DevMode(postgres, kafka, s3, running, adminToken, infrastructure);
        } catch (RuntimeException e) {
            closeQuietly(s3);
            closeQuietly(kafka);
            closeQuietly(postgres);
            throw e;
        }
    }

    public int httpPort() {
        return roles.httpPort();
    }

    /** Metrics and health of the whole dev process, all roles in one. */
    public int managementPort() {
        return roles.managementPort();
    }

    public String adminToken() {
        return adminToken;
    }

    /** The embedded servers' addresses, for tools that look at them directly (benchmarks). */
    public Infrastructure infrastructure() {
        return infrastructure;
    }

    public boolean isReady() {
        return roles.isReady();
    }

    /**
     * Fails before anything starts, in one line, rather than with the broker's bind error after PostgreSQL is up.
     * Kafka listens on the loopback address, which a server on the wildcard address also blocks.
     */
    private static void requireFree(int kafkaPort) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), kafkaPort));
        } catch (IOException e) {
            throw new InvalidSettingException("DYNRAG_KAFKA_PORT: port " + kafkaPort + " is taken (" + e.getMessage()
                    + "); stop what listens there or set DYNRAG_KAFKA_PORT to a free port");
        }
    }

    /** Generated secrets survive restarts in the data directory, readable by their owner only. */
    static String secretIn(Path dataDir, String name, Supplier<String> generate) {
        Path file = dataDir.resolve(name);
        try {
            if (Files.exists(file)) {
                String token = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (!token.isEmpty()) {
                    return token;
                }
            }
            Files.createDirectories(dataDir);
            String token = generate.get();
            Files.deleteIfExists(file);
            try {
                // Created owner-only from the start, so the secret is never readable by others.
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(file);
            }
            Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    @Override
    public void close() {
        closeQuietly(roles);
        closeQuietly(s3);
        closeQuietly(kafka);
        closeQuietly(postgres);
    }

    private static void closeQuietly(AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            log.warn("Stopping {} failed: {}", resource.getClass().getSimpleName(), e.toString());
        }
    }
}
