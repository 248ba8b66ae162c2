package io.dynrag.bench;

import io.dynrag.app.corpus.BenchCorpus;
import io.dynrag.embedded.FreePorts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code ./dynrag dev} as a user starts it, in a process of its own: the time from launch until
 * {@code /health} answers 200 on a fresh data directory (cold: databases created, native libraries
 * unpacked) and again on the same directory (warm), and the resident memory of the process and of
 * the embedded PostgreSQL it starts, at rest and while it indexes documents.
 */
final class StartupBench {

    /** Memory in MiB: the JVM's resident set, and the database processes' proportional share. */
    record Memory(long jvmMib, long databaseMib) {
    }

    record Result(Duration coldStart, Duration warmStart, Memory afterStart, Memory peakWhileIndexing,
                  Memory afterIndexing) {
    }

    private static final Duration START_LIMIT = Duration.ofMinutes(3);

    private final HttpClient http = HttpClient.newHttpClient();

    /** The launcher script beside the executable jar, when running from a build of the repository. */
    static Optional<Path> launcher() {
        try {
            Path jar = Path.of(StartupBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path script = jar.getParent().getParent().getParent().resolve("dynrag");
            return Files.isExecutable(script) && jar.toString().endsWith(".jar") ? Optional.of(script)
                    : Optional.empty();
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    Result run(Path launcher, List<BenchCorpus.Document> documents) {
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("dynrag-startup-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int port = FreePorts.pick();
        Launched launchedCold = start(launcher, dataDir, port);
        Process cold = launchedCold.process();
        Duration coldStart;
        Memory afterStart;
        Memory peak;
        Memory settled;
        try {
            coldStart = awaitHealthy(launchedCold, port);
            BenchSystem.sleep(Duration.ofSeconds(5));
            afterStart = memory(cold, dataDir);
            String adminToken = Files.readString(dataDir.resolve("admin-token"), StandardCharsets.UTF_8).strip();
            BenchClient client = new BenchClient(port);
            String apiKey = client.postJson("/v1/admin/customers", adminToken, "{\"name\": \"Startup benchmark\"}")
                    .expect(201).json().get("apiKey").asText();
            for (BenchCorpus.Document document : documents) {
                client.upload("/v1/documents", apiKey, document.name(),
                        document.markdown().getBytes(StandardCharsets.UTF_8)).expect(202);
            }
            peak = new Memory(0, 0);
            while (client.documentsWithStatus(apiKey, "INDEXED") < documents.size()) {
                Memory now = memory(cold, dataDir);
                peak = new Memory(Math.max(peak.jvmMib(), now.jvmMib()),
                        Math.max(peak.databaseMib(), now.databaseMib()));
                BenchSystem.sleep(Duration.ofMillis(500));
            }
            BenchSystem.sleep(Duration.ofSeconds(10));
            settled = memory(cold, dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            stop(cold);
        }
        Launched warm = start(launcher, dataDir, port);
        try {
            return new Result(coldStart, awaitHealthy(warm, port), afterStart, peak, settled);
        } finally {
            stop(warm.process());
            BenchSystem.deleteRecursively(dataDir);
        }
    }

    private record Launched(Process process, long atNanos) {
    }

    private static Launched start(Path launcher, Path dataDir, int port) {
        ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "dev")
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("dev.log").toFile());
        builder.environment().put("DYNRAG_DATA_DIR", dataDir.toString());
        builder.environment().put("DYNRAG_HTTP_PORT", Integer.toString(port));
        builder.environment().put("DYNRAG_MANAGEMENT_PORT", "0");
        builder.environment().put("DYNRAG_KAFKA_PORT", Integer.toString(FreePorts.pick()));
        try {
            long at = System.nanoTime();
            return new Launched(builder.start(), at);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + launcher, e);
        }
    }

    /** @return the time from launching the process until {@code /health} answered 200 */
    private Duration awaitHealthy(Launched launched, int port) {
        Process process = launched.process();
        long started = launched.atNanos();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() - started < START_LIMIT.toNanos()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("dynrag dev exited with " + process.exitValue());
            }
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return Duration.ofNanos(System.nanoTime() - started);
                }
            } catch (IOException e) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            BenchSystem.sleep(Duration.ofMillis(100));
        }
        throw new IllegalStateException("dynrag dev was not healthy within " + START_LIMIT);
    }

    /**
     * The JVM is the launcher's process (the script execs it). PostgreSQL detaches from it, so its
     * processes are found by the data directory on their command line; they share memory, so their
     * proportional set sizes are summed rather than their resident sizes.
     */
    private static Memory memory(Process process, Path dataDir) {
        long jvm = statusKib(process.pid(), "/status", "VmRSS:");
        long database;
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            database = all.filter(other -> other.pid() != process.pid())
                    .filter(other -> other.info().commandLine().filter(line -> line.contains(dataDir.toString()))
                            .isPresent())
                    .flatMap(postmaster -> Stream.concat(Stream.of(postmaster), postmaster.descendants()))
                    .mapToLong(other -> statusKib(other.pid(), "/smaps_rollup", "Pss:"))
                    .sum();
        }
        return new Memory(jvm / 1024, database / 1024);
    }

    private static long statusKib(long pid, String file, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + file))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // The process ended or this is not Linux: no figure.
        }
        return 0;
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
