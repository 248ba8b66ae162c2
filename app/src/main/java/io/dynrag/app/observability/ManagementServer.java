package io.dynrag.app.observability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The process's management port, apart from the API's so that it is never exposed with it and answers while
 * the API is overloaded or not running at all (the pipeline and projections roles have no other port):
 * {@code /metrics} in the Prometheus text format, {@code /health/live} (200 while the process runs) and
 * {@code /health/ready} (200 once every check passes, else 503; the body names each check). It serves
 * nothing else, so the JDK's own HTTP server is enough.
 */
final class ManagementServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * @param beforeScrape brings gauges that are expensive to read (consumer lag) up to date
     * @param readiness    the named checks {@code /health/ready} runs, read at each request
     */
    ManagementServer(String host, int port, PrometheusMeterRegistry registry, Runnable beforeScrape,
                     Map<String, BooleanSupplier> readiness) {
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on the management port " + host + ":" + port
                    + " (DYNRAG_MANAGEMENT_HOST, DYNRAG_MANAGEMENT_PORT)", e);
        }
        server.setExecutor(threads);
        server.createContext("/metrics", exchange -> serve(exchange, () -> {
            beforeScrape.run();
            return new Answer(200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        }));
        server.createContext("/health/live", exchange -> serve(exchange,
                () -> new Answer(200, "application/json", "{\"status\":\"UP\"}")));
        server.createContext("/health/ready", exchange -> serve(exchange, () -> ready(readiness)));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static Answer ready(Map<String, BooleanSupplier> readiness) {
        Map<String, String> checks = new TreeMap<>();
        readiness.forEach((name, check) -> checks.put(name, passes(check) ? "UP" : "DOWN"));
        boolean up = !checks.containsValue("DOWN");
        try {
            return new Answer(up ? 200 : 503, "application/json",
                    JSON.writeValueAsString(new Readiness(up ? "UP" : "DOWN", checks)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A check that throws is down: readiness says whether to send traffic, not why not (that is the log's). */
    private static boolean passes(BooleanSupplier check) {
        try {
            return check.getAsBoolean();
        } catch (RuntimeException e) {
            log.debug("A readiness check failed", e);
            return false;
        }
    }

    private record Answer(int status, String contentType, String body) {
    }

    /** The body of {@code /health/ready}, as the API's {@code /health} answers it. */
    private record Readiness(String status, Map<String, String> checks) {
    }

    private interface Handler {
        Answer answer();
    }

    /** Only GET (and HEAD) of exactly the path served; a context also matches the paths below it. */
    private static void serve(HttpExchange exchange, Handler handler) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!exchange.getRequestURI().getPath().equals(exchange.getHttpContext().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            Answer answer;
            try {
                answer = handler.answer();
            } catch (RuntimeException e) {
                log.warn("Management request {} failed", exchange.getRequestURI().getPath(), e);
                answer = new Answer(500, "text/plain; charset=utf-8", "failed; see the log\n");
            }
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(answer.status(), -1);
                return;
            }
            exchange.sendResponseHeaders(answer.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
