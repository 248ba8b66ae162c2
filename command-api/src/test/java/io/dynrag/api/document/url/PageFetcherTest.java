package io.dynrag.api.document.url;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.outbound.AddressAllowlist;
import io.dynrag.platform.outbound.FetchableUrl;
import io.dynrag.platform.outbound.GuardedHttpClient;
import io.dynrag.platform.outbound.HostResolver;
import io.dynrag.platform.outbound.NetworkFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The fetcher against a real HTTP server on 127.0.0.1, which the allowlist permits. */
class PageFetcherTest {

    private static final long MAX_BYTES = 100_000;
    private static final String PAGE = "<!doctype html><html><head><title>Tides</title></head>"
            + "<body><p>The moon pulls the ocean.</p></body></html>";

    private HttpServer server;
    private String base;
    private PageFetcher fetcher;
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        fetcher = fetcher("127.0.0.1", Duration.ofSeconds(2));
    }

    @AfterEach
    void stopServer() {
        fetcher.close();
        server.stop(0);
    }

    @Test
    void aPageIsFetchedIntoATemporaryFileThatClosingDeletes() throws IOException {
        serve("/docs/tides.html", exchange -> respond(exchange, 200, "text/html; charset=UTF-8", PAGE));

        Path file;
        try (FetchedPage page = fetch(base + "/docs/tides.html#intro")) {
            assertThat(page.name()).isEqualTo("tides.html");
            assertThat(page.mediaType()).isEqualTo("text/html");
            assertThat(page.bytes()).isEqualTo(PAGE.getBytes(StandardCharsets.UTF_8).length);
            file = page.file();
            assertThat(file.getParent()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
            for (int read = 0; read < 2; read++) {
                try (InputStream in = page.open()) {
                    assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(PAGE);
                }
            }
        }
        assertThat(file).doesNotExist();
        assertThat(requests.get("/docs/tides.html")).hasValue(1);
    }

    @Test
    void everyIndexedTypeIsFetchedWithOrWithoutParameters() {
        Map<String, String> types = Map.of("/a.pdf", "application/pdf", "/b.md", "text/markdown; charset=utf-8",
                "/c.md", "text/x-markdown", "/d.txt", "TEXT/PLAIN;charset=us-ascii");
        types.forEach((path, type) -> serve(path, exchange -> respond(exchange, 200, type, "content of " + path)));

        types.keySet().forEach(path -> {
            try (FetchedPage page = fetch(base + path)) {
                assertThat(page.mediaType()).isEqualTo(type(types.get(path)));
            }
        });
    }

    @Test
    void redirectsAreFollowedHopByHop() {
        serve("/start", exchange -> redirect(exchange, 301, "/middle"));
        serve("/middle", exchange -> redirect(exchange, 307, base + "/final/page.md"));
        serve("/final/page.md", exchange -> respond(exchange, 200, "text/markdown", "# Page\n"));

        try (FetchedPage page = fetch(base + "/start")) {
            assertThat(page.mediaType()).isEqualTo("text/markdown");
            assertThat(page.name()).as("the name comes from the URL the customer gave").isEqualTo("start");
        }
        assertThat(requests.keySet()).containsExactlyInAnyOrder("/start", "/middle", "/final/page.md");
    }

    @Test
    void aRedirectToAnInternalAddressIsRefusedWithoutConnecting() {
        serve("/to-metadata", exchange -> redirect(exchange, 302, "http://169.254.169.254/latest/meta-data/"));
        serve("/to-ipv6-loopback", exchange -> redirect(exchange, 302,
                "http://[::1]:" + server.getAddress().getPort() + "/docs"));
        serve("/to-mapped", exchange -> redirect(exchange, 302,
                "http://[::ffff:10.0.0.1]/"));

        for (String path : List.of("/to-metadata", "/to-ipv6-loopback", "/to-mapped")) {
            ApiProblem problem = failure(base + path);
            assertThat(problem.status()).as(path).isEqualTo(422);
            assertThat(problem.detail()).contains("redirects to").contains("internal address")
                    .doesNotContain("169.254.169.254/latest");
        }
        assertThat(requests).doesNotContainKey("/docs");
    }

    @Test
    void redirectsBeyondTheLimitOrToOtherSchemesFail() {
        serve("/loop", exchange -> redirect(exchange, 302, "/loop"));
        serve("/to-ftp", exchange -> redirect(exchange, 302, "ftp://example.com/file.txt"));
        serve("/to-file", exchange -> redirect(exchange, 302, "file:///etc/passwd"));
        serve("/nowhere", exchange -> {
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });

        ApiProblem loop = failure(base + "/loop");
        assertThat(loop.status()).isEqualTo(502);
        assertThat(loop.detail()).contains("more than 3 times");
        assertThat(requests.get("/loop")).as("the URL and three redirects").hasValue(4);
        assertThat(failure(base + "/to-ftp").detail()).contains("only http and https");
        assertThat(failure(base + "/to-file").status()).isEqualTo(502);
        assertThat(failure(base + "/nowhere").detail()).contains("without a Location");
    }

    @Test
    void anInternalAddressIsRefusedUnlessAllowed() {
        serve("/page", exchange -> respond(exchange, 200, "text/plain", "hello"));
        try (PageFetcher strict = fetcher("", Duration.ofSeconds(2))) {
            int port = server.getAddress().getPort();
            for (String url : List.of(base + "/page", "http://localhost:" + port + "/page",
                    "http://[::ffff:127.0.0.1]:" + port + "/page", "http://0.0.0.0:" + port + "/page",
                    "http://127.0.0.2:" + port + "/page", "http://[::1]:" + port + "/page")) {
                ApiProblem problem = Answered.by(
                        () -> strict.fetch(FetchableUrl.parse(url), MAX_BYTES));
                assertThat(problem.status()).as(url).isEqualTo(422);
                assertThat(problem.detail()).doesNotContain("loopback address").contains("internal address");
            }
        }
        assertThat(requests).as("nothing reached the server").isEmpty();

        try (PageFetcher byHost = fetcher("localhost", Duration.ofSeconds(2));
             FetchedPage page = byHost.fetch(FetchableUrl.parse(
                     "http://localhost:" + server.getAddress().getPort() + "/page"), MAX_BYTES)) {
            assertThat(page.bytes()).isEqualTo(5);
        }
    }

    @Test
    void namesInAnySpellingThatLeadToAnInternalAddressAreRefusedWithoutConnecting() {
        HostResolver dns = host -> List.of(NetworkFixtures.INTERNAL);
        int port = server.getAddress().getPort();
        serve("/page", exchange -> respond(exchange, 200, "text/plain", "internal"));
        try (PageFetcher strict = new PageFetcher(new UrlFetchSettings(Duration.ofSeconds(1), Duration.ofSeconds(2), 3,
                AddressAllowlist.parse("allowed.example")), dns)) {
            for (String url : List.of("http://metadata.example./page", "http://METADATA.Example:" + port + "/page",
                    "http://allowed.example.evil.test:" + port + "/page", "http://evil.test/?allowed.example",
                    "http://evil.test:" + port + "#@allowed.example/")) {
                ApiProblem problem = Answered.by(
                        () -> strict.fetch(FetchableUrl.parse(url), MAX_BYTES));
                assertThat(problem.status()).as(url).isEqualTo(422);
            }
            try (FetchedPage page = strict.fetch(FetchableUrl.parse("http://Allowed.Example.:" + port + "/page"),
                    MAX_BYTES)) {
                assertThat(page.bytes()).as("an allowlisted name, however spelt, may lead anywhere").isEqualTo(8);
            }
        }
        assertThat(requests.get("/page")).as("only the allowlisted name reached the server").hasValue(1);
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedBeforeTheBody() {
        AtomicLong written = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        serve("/declared", exchange -> stream(exchange, 64L * 1024 * 1024, true, written, done));

        ApiProblem problem = failure(base + "/declared");

        assertThat(problem.status()).isEqualTo(413);
        assertThat(problem.detail()).contains(String.valueOf(MAX_BYTES));
        assertConnectionDroppedEarly(written, done, 64L * 1024 * 1024);
    }

    @Test
    void anUndeclaredBodyIsCutOffOnceItPassesTheLimit() throws IOException {
        AtomicLong written = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        serve("/endless", exchange -> stream(exchange, 64L * 1024 * 1024, false, written, done));
        List<Path> before = temporaryFiles();

        ApiProblem problem = failure(base + "/endless");

        assertThat(problem.status()).isEqualTo(413);
        assertConnectionDroppedEarly(written, done, 64L * 1024 * 1024);
        assertThat(temporaryFiles()).as("the partial download is deleted").isEqualTo(before);
    }

    @Test
    void typesWeDoNotIndexAreRefusedWithoutReadingThem() {
        serve("/image", exchange -> respond(exchange, 200, "image/png", "\u0089PNG"));
        serve("/binary", exchange -> respond(exchange, 200, "application/octet-stream", "bytes"));
        serve("/json", exchange -> respond(exchange, 200, "application/json", "{}"));
        serve("/untyped", exchange -> respond(exchange, 200, null, "what am I"));

        assertThat(failure(base + "/image").status()).isEqualTo(415);
        assertThat(failure(base + "/image").detail()).contains("image/png");
        assertThat(failure(base + "/binary").status()).isEqualTo(415);
        assertThat(failure(base + "/json").status()).isEqualTo(415);
        assertThat(failure(base + "/untyped").detail()).contains("declares no type");
    }

    @Test
    void upstreamErrorsAreBadGatewayNamingTheStatus() {
        serve("/missing", exchange -> respond(exchange, 404, "text/html", "<h1>Not Found</h1>"));
        serve("/broken", exchange -> respond(exchange, 500, "text/plain", "oops"));

        ApiProblem missing = failure(base + "/missing");
        assertThat(missing.status()).isEqualTo(502);
        assertThat(missing.detail()).contains("HTTP 404");
        assertThat(failure(base + "/broken").detail()).contains("HTTP 500");
    }

    @Test
    void everyWayAConnectionFailsGetsTheSameDetailSoNoneTellsAPortsState() throws IOException {
        try (NetworkFixtures.FilteredPort filtered = new NetworkFixtures.FilteredPort();
             NetworkFixtures.HangUpPort hangUp = new NetworkFixtures.HangUpPort()) {
            Map<String, String> urls = Map.of(
                    "refused", "http://127.0.0.1:" + NetworkFixtures.closedPort() + "/x",
                    "timed out", "http://127.0.0.1:" + filtered.port() + "/x",
                    "closed without an answer", "http://127.0.0.1:" + hangUp.port() + "/x",
                    "TLS with a plain HTTP server", "https://127.0.0.1:" + server.getAddress().getPort() + "/x");

            urls.forEach((failure, url) -> {
                ApiProblem problem = failure(url);
                assertThat(problem.status()).as(failure).isEqualTo(502);
                assertThat(problem.detail()).as(failure).isEqualTo(url + " could not be fetched: "
                        + GuardedHttpClient.unreachable("127.0.0.1"));
            });
        }
    }

    @Test
    void aNameThatSwitchesToAnInternalAddressAfterTheCheckIsFetchedFromTheCheckedAddress() {
        NetworkFixtures.RebindingResolver dns = new NetworkFixtures.RebindingResolver(NetworkFixtures.VETTED,
                NetworkFixtures.INTERNAL);
        List<String> reachedInternal = new CopyOnWriteArrayList<>();
        try (NetworkFixtures.TwoServers servers = NetworkFixtures.twoServersOnOnePort(
                exchange -> {
                    if (exchange.getRequestURI().getPath().equals("/start")) {
                        redirect(exchange, 302, "http://second.rebind.test:" + exchange.getLocalAddress().getPort()
                                + "/page");
                    } else {
                        respond(exchange, 200, "text/plain", "public page");
                    }
                    exchange.close();
                },
                exchange -> {
                    reachedInternal.add(exchange.getRequestURI().getPath());
                    respond(exchange, 200, "text/plain", "internal secret");
                    exchange.close();
                });
             PageFetcher rebound = new PageFetcher(new UrlFetchSettings(Duration.ofSeconds(1), Duration.ofSeconds(5),
                     3, AddressAllowlist.parse("127.0.0.2")), dns)) {
            for (String url : List.of("http://first.rebind.test:" + servers.port() + "/page",
                    "http://127.0.0.2:" + servers.port() + "/start")) {
                try (FetchedPage page = rebound.fetch(FetchableUrl.parse(url), MAX_BYTES);
                     InputStream body = page.open()) {
                    assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).as(url).isEqualTo("public page");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(reachedInternal).as("the internal service saw nothing").isEmpty();
        assertThat(dns.lookups("first.rebind.test")).as("the URL's host: one lookup").isEqualTo(1);
        assertThat(dns.lookups("second.rebind.test")).as("the redirect's host: one lookup").isEqualTo(1);
    }

    @Test
    void slowServersRunIntoTheDeadline() throws IOException {
        serve("/slow-headers", exchange -> {
            sleep(Duration.ofSeconds(10));
            respond(exchange, 200, "text/plain", "too late");
        });
        serve("/slow-body", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, 1000);
            OutputStream body = exchange.getResponseBody();
            body.write("a trickle".getBytes(StandardCharsets.UTF_8));
            body.flush();
            sleep(Duration.ofSeconds(10));
            exchange.close();
        });
        List<Path> before = temporaryFiles();

        for (String path : List.of("/slow-headers", "/slow-body")) {
            long started = System.nanoTime();
            ApiProblem problem = failure(base + path);
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(problem.status()).as(path).isEqualTo(502);
            assertThat(problem.detail()).contains("within 2 seconds");
            assertThat(took).as(path).isLessThan(Duration.ofSeconds(5));
        }
        assertThat(temporaryFiles()).isEqualTo(before);
    }

    private PageFetcher fetcher(String allowlist, Duration timeout) {
        return new PageFetcher(new UrlFetchSettings(Duration.ofSeconds(1), timeout, 3,
                AddressAllowlist.parse(allowlist)));
    }

    private FetchedPage fetch(String url) {
        return fetcher.fetch(FetchableUrl.parse(url), MAX_BYTES);
    }

    private ApiProblem failure(String url) {
        ApiProblem problem = Answered.by(() -> fetch(url).close());
        assertThat(problem).as(url).isNotNull();
        return problem;
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private void serve(String path, Handler handler) {
        HttpHandler counted = exchange -> {
            requests.computeIfAbsent(exchange.getRequestURI().getPath(), p -> new AtomicInteger()).incrementAndGet();
            try {
                handler.handle(exchange);
            } finally {
                exchange.close();
            }
        };
        server.createContext(path, exchange -> {
            if (exchange.getRequestURI().getPath().equals(path)) {
                counted.handle(exchange);
            } else {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
            }
        });
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void redirect(HttpExchange exchange, int status, String location) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(status, -1);
    }

    /** Writes up to {@code total} bytes of text, counting what the client took before it hung up. */
    private static void stream(HttpExchange exchange, long total, boolean declareLength, AtomicLong written,
                               CountDownLatch done) {
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, declareLength ? total : 0);
            byte[] block = "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
            OutputStream out = exchange.getResponseBody();
            while (written.get() < total) {
                out.write(block);
                written.addAndGet(block.length);
            }
        } catch (IOException e) {
            // The client hung up, as it should.
        } finally {
            done.countDown();
        }
    }

    private static void assertConnectionDroppedEarly(AtomicLong written, CountDownLatch done, long total) {
        try {
            assertThat(done.await(10, TimeUnit.SECONDS)).as("the client hung up").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertThat(written.get()).isLessThan(total / 2);
    }

    private static List<Path> temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(file -> file.getFileName().toString().startsWith("dynrag-url-")).sorted().toList();
        }
    }

    private static String type(String declared) {
        return declared.split(";")[0].strip().toLowerCase(Locale.ROOT);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
