package io.dynrag.app.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

class ManagementServerTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, BooleanSupplier> readiness = new ConcurrentHashMap<>();
    private final AtomicInteger scrapes = new AtomicInteger();
    private final ManagementServer server = new ManagementServer("127.0.0.1", 0, registry, scrapes::incrementAndGet,
            readiness);
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void readyOnlyWhenEveryCheckPassesNamingEach() throws Exception {
        AtomicBoolean streamsRunning = new AtomicBoolean(false);
        readiness.put("database", () -> true);
        readiness.put("pipeline", streamsRunning::get);
        readiness.put("broken", () -> {
            throw new IllegalStateException("cannot tell");
        });

        HttpResponse<String> notReady = get("/health/ready");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(notReady.body()).isEqualTo(
                "{\"status\":\"DOWN\",\"checks\":{\"broken\":\"DOWN\",\"database\":\"UP\",\"pipeline\":\"DOWN\"}}");

        readiness.remove("broken");
        streamsRunning.set(true);
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("{\"status\":\"UP\",\"checks\":{\"database\":\"UP\",\"pipeline\":\"UP\"}}");
    }

    @Test
    void liveWhileTheProcessRunsReadyOrNot() throws Exception {
        readiness.put("pipeline", () -> false);
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(get("/health/ready").statusCode()).isEqualTo(503);
    }

    @Test
    void metricsInThePrometheusFormatBroughtUpToDateForEachScrape() throws Exception {
        Counter.builder(Meters.DEAD_LETTERS).tag(Meters.TOPIC, "dlq").register(registry).increment(2);

        HttpResponse<String> metrics = get("/metrics");

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(metrics.body()).contains("dynrag_dead_letters_total{topic=\"dlq\"} 2.0");
        assertThat(scrapes).hasValue(1);
    }

    @Test
    void servesOnlyItsThreePathsAndOnlyToGet() throws Exception {
        assertThat(get("/metrics/extra").statusCode()).isEqualTo(404);
        assertThat(get("/health").statusCode()).isEqualTo(404);
        HttpResponse<String> posted = http.send(HttpRequest.newBuilder(uri("/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isEqualTo(405);
        assertThat(posted.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
