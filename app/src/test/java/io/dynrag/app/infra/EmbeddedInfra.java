package io.dynrag.app.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.dynrag.embedded.EmbeddedKafka;
import io.dynrag.embedded.EmbeddedPostgres;
import io.dynrag.embedded.EmbeddedS3;

/**
 * Kafka, PostgreSQL and the S3 API in this JVM (PostgreSQL as a child process), each with its data
 * in a subdirectory of one directory. Starting again on the same directory finds the earlier data.
 */
public final class EmbeddedInfra implements Infra {

    static final String S3_REGION = "us-east-1";
    static final String S3_ACCESS_KEY = "dynrag-test";
    static final String S3_SECRET_KEY = "dynrag-test-secret";
    static final String S3_BUCKET = "dynrag";

    /** How long each server took to start, for the record. */
    public record StartTimes(Duration kafka, Duration postgres, Duration s3) {
    }

    /** Ports to listen on; 0 means any free port. */
    public record Ports(int kafka, int postgres, int s3) {
        public static final Ports ANY = new Ports(0, 0, 0);
    }

    private final Path directory;
    private final boolean deleteDirectoryOnClose;
    // Replaced when a server is restarted on its port and directory (see the outage methods).
    private volatile EmbeddedKafka kafka;
    private volatile EmbeddedPostgres postgres;
    private volatile EmbeddedS3 s3;
    private final StartTimes startTimes;

    private EmbeddedInfra(Path directory, boolean deleteDirectoryOnClose, EmbeddedKafka kafka,
            EmbeddedPostgres postgres, EmbeddedS3 s3, StartTimes startTimes) {
        this.directory = directory;
        this.deleteDirectoryOnClose = deleteDirectoryOnClose;
        this.kafka = kafka;
        this.postgres = postgres;
        this.s3 = s3;
        this.startTimes = startTimes;
    }

    /** Servers whose data lives in a fresh temporary directory that is deleted on close. */
    public static EmbeddedInfra startInTemporaryDirectory() {
        Path directory;
        try {
            directory = Files.createTempDirectory("dynrag-infra-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
        return start(directory, Ports.ANY, true);
    }

    /** Servers on free ports whose data lives in {@code directory}, which is kept on close. */
    public static EmbeddedInfra start(Path directory) {
        return start(directory, Ports.ANY, false);
    }

    /** Servers on the given ports whose data lives in {@code directory}, which is kept on close. */
    public static EmbeddedInfra start(Path directory, Ports ports) {
        return start(directory, ports, false);
    }

    private static EmbeddedInfra start(Path directory, Ports ports, boolean deleteDirectoryOnClose) {
        EmbeddedKafka kafka = null;
        EmbeddedPostgres postgres = null;
        try {
            Timed<EmbeddedKafka> timedKafka = timed(() -> EmbeddedKafka.start(directory.resolve("kafka"), ports.kafka()));
            kafka = timedKafka.value();
            Timed<EmbeddedPostgres> timedPostgres = timed(() -> EmbeddedPostgres.start(directory.resolve("postgres"), ports.postgres()));
            postgres = timedPostgres.value();
            Timed<EmbeddedS3> timedS3 = timed(() -> EmbeddedS3.start(directory.resolve("s3"), ports.s3(), S3_ACCESS_KEY, S3_SECRET_KEY));
            return new EmbeddedInfra(directory, deleteDirectoryOnClose, kafka, postgres, timedS3.value(),
                    new StartTimes(timedKafka.elapsed(), timedPostgres.elapsed(), timedS3.elapsed()));
        } catch (RuntimeException e) {
            closeAll(e, postgres, kafka);
            throw e;
        }
    }

    public StartTimes startTimes() {
        return startTimes;
    }

    public Ports ports() {
        return new Ports(kafka.port(), postgres.port(), s3.endpoint().getPort());
    }

    @Override
    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public String jdbcUrl() {
        return postgres.jdbcUrl();
    }

    @Override
    public String jdbcUser() {
        return postgres.user();
    }

    @Override
    public String jdbcPassword() {
        return postgres.password();
    }

    @Override
    public S3Settings s3() {
        URI endpoint = s3.endpoint();
        return new S3Settings(endpoint, S3_REGION, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET);
    }

    /** Stops the S3 API server; {@link #startS3Again()} brings it back on the same port with the same objects. */
    public synchronized void stopS3() {
        s3.close();
    }

    public synchronized void startS3Again() {
        s3 = EmbeddedS3.start(directory.resolve("s3"), s3.endpoint().getPort(), S3_ACCESS_KEY, S3_SECRET_KEY);
    }

    /** Stops the broker and starts it again on the same port and log directory, as after a crash or an upgrade. */
    public synchronized void restartKafka() {
        int port = kafka.port();
        kafka.close();
        kafka = EmbeddedKafka.start(directory.resolve("kafka"), port);
    }

    /** Stops PostgreSQL and starts it again on the same port and data directory; open connections break. */
    public synchronized void restartPostgres() {
        int port = postgres.port();
        postgres.close();
        postgres = EmbeddedPostgres.start(directory.resolve("postgres"), port);
    }

    @Override
    public void close() {
        RuntimeException failure = closeAll(null, s3, postgres, kafka);
        if (deleteDirectoryOnClose) {
            deleteRecursively(directory);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException closeAll(RuntimeException failure, AutoCloseable... servers) {
        RuntimeException result = failure;
        for (AutoCloseable server : servers) {
            if (server == null) {
                continue;
            }
            try {
                server.close();
            } catch (Exception e) {
                if (result == null) {
                    result = e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
                } else {
                    result.addSuppressed(e);
                }
            }
        }
        return result;
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    private record Timed<T>(T value, Duration elapsed) {
    }

    private static <T> Timed<T> timed(Supplier<T> start) {
        long started = System.nanoTime();
        T value = start.get();
        return new Timed<>(value, Duration.ofNanos(System.nanoTime() - started));
    }
}
