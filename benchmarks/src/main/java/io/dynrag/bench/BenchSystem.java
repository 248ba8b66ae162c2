package io.dynrag.bench;

import io.dynrag.app.config.Settings;
import io.dynrag.app.infra.Infrastructure;
import io.dynrag.app.roles.Role;
import io.dynrag.dev.DevMode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The whole system as {@code dev} runs it, in this process, on a fresh data directory, with limits
 * raised so that the load a benchmark generates is measured rather than throttled.
 */
final class BenchSystem implements AutoCloseable {

    private final DevMode dev;
    private final BenchClient client;
    private final Path dataDir;
    private final Duration startedIn;

    private BenchSystem(DevMode dev, Path dataDir, Duration startedIn) {
        this.dev = dev;
        this.dataDir = dataDir;
        this.startedIn = startedIn;
        this.client = new BenchClient(dev.httpPort());
    }

    static BenchSystem start() {
        return start(EnumSet.allOf(Role.class));
    }

    /** @param roles the roles to run; the others' work waits, as it would for a separate deployment */
    static BenchSystem start(Set<Role> roles) {
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("dynrag-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory for the benchmark", e);
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("DYNRAG_DATA_DIR", dataDir.toString());
        env.put("DYNRAG_HTTP_PORT", "0");
        env.put("DYNRAG_MANAGEMENT_PORT", "0");
        env.put("DYNRAG_DEFAULT_REQUESTS_PER_MINUTE", "1000000");
        env.put("DYNRAG_DEFAULT_REQUESTS_PER_DAY", "1000000000");
        env.put("DYNRAG_DEFAULT_MAX_DOCUMENTS", "10000000");
        env.put("DYNRAG_CEILING_REQUESTS_PER_MINUTE", "1000000");
        env.put("DYNRAG_CEILING_REQUESTS_PER_DAY", "1000000000");
        env.put("DYNRAG_CEILING_MAX_DOCUMENTS", "10000000");
        long started = System.nanoTime();
        DevMode dev = DevMode.start(Settings.from(env), roles, 0);
        while (!dev.isReady()) {
            sleep(Duration.ofMillis(50));
        }
        return new BenchSystem(dev, dataDir, Duration.ofNanos(System.nanoTime() - started));
    }

    BenchClient client() {
        return client;
    }

    Infrastructure infrastructure() {
        return dev.infrastructure();
    }

    Path dataDir() {
        return dataDir;
    }

    Duration startedIn() {
        return startedIn;
    }

    String adminToken() {
        return dev.adminToken();
    }

    record Customer(String customerId, String apiKey) {
    }

    /** A new customer with an API key that has every scope. */
    Customer registerCustomer(String name) {
        var created = client.postJson("/v1/admin/customers", dev.adminToken(), "{\"name\": \"" + name + "\"}")
                .expect(201).json();
        return new Customer(created.get("customerId").asText(), created.get("apiKey").asText());
    }

    /** A new customer whose documents and searches use {@code embeddingModel}. */
    Customer registerCustomer(String name, String embeddingModel) {
        Customer customer = registerCustomer(name);
        client.putJson("/v1/customer/config", customer.apiKey(), "{\"embeddingModel\": \"" + embeddingModel + "\"}")
                .expect(200);
        return customer;
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        dev.close();
        deleteRecursively(dataDir);
    }

    static void deleteRecursively(Path directory) {
        try (var paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary directory is not worth failing a benchmark for.
        }
    }
}
