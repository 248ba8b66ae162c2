package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dynrag.app.roles.RunningRoles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Documents fetched from URLs and batches of files or URLs, over HTTP against the whole system.
 * The pages come from a local server on loopback: the system fetches them only if its
 * {@code DYNRAG_URL_ALLOWLIST} permits 127.0.0.1; without it, the address policy must refuse them.
 */
@Tag("e2e")
class UrlAndBatchIngestTest {

    private static final String TIDES = """
            # Tides

            The moon pulls the ocean towards it, raising two bulges of water that sweep around the
            planet: most coasts see two high tides and two low tides every lunar day.

            ## Spring and neap tides

            When sun and moon line up, their pulls add and spring tides run highest.
            """;
    private static final String TIDES_V2 = TIDES + """

            ## Tidal bores

            Some rivers meet the rising tide as a single wave, the tidal bore, that runs upstream.
            """;
    private static final String REEFS = """
            <!DOCTYPE html><html><head><title>Coral reefs</title></head><body><main>
            <h1>Coral reefs</h1>
            <p>Coral polyps build reefs from calcium carbonate over thousands of years; warm, shallow and
            clear water lets the algae living inside them photosynthesise.</p>
            </main></body></html>
            """;

    /** An API instance that fetches at most four URLs at once, two per customer, and lets a fetch wait 10 s. */
    private static final Map<String, String> FETCH_BOUNDS = Map.of("DYNRAG_URL_FETCHES", "4",
            "DYNRAG_URL_FETCHES_PER_CUSTOMER", "2", "DYNRAG_URL_FETCH_QUEUE_SECONDS", "10");

    private TestSystem system;
    private ApiClient api;
    private HttpServer pages;
    private String base;
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    @BeforeEach
    void startPages() throws IOException {
        system = TestSystem.shared();
        api = system.api();
        pages = pageServer("127.0.0.1");
        base = "http://127.0.0.1:" + pages.getAddress().getPort();
    }

    @AfterEach
    void stopPages() {
        pages.stop(0);
    }

    @Test
    void aDocumentFetchedFromAUrlIsIndexedSearchableAndVersionedByUrl() {
        String key = system.registerCustomer("Fetching Ltd");
        ApiClient.Response created = api.postJson("/v1/documents", key,
                Json.object("url", base + "/guides/tides.md", "title", "Tides"));
        assumeLoopbackAllowed(created);

        assertThat(created.status()).as(created.body()).isEqualTo(202);
        String documentId = created.json().get("documentId").asText();
        assertThat(documentId).matches(TestSystem.UUID_PATTERN);
        JsonNode indexed = system.awaitStatus(key, documentId, "INDEXED");
        assertThat(indexed.get("title").asText()).isEqualTo("Tides");
        assertThat(indexed.get("contentType").asText()).isEqualTo("text/markdown");
        assertThat(indexed.get("bytes").asLong()).isEqualTo(TIDES.getBytes(StandardCharsets.UTF_8).length);
        JsonNode hits = system.search(key, "why do coasts have two high tides a day", 3);
        assertThat(hits).isNotEmpty();
        assertThat(hits.get(0).get("documentId").asText()).isEqualTo(documentId);

        ApiClient.Response html = api.postJson("/v1/documents", key, Json.object("url", base + "/reefs"));
        assertThat(html.status()).as(html.body()).isEqualTo(202);
        JsonNode reefs = system.awaitStatus(key, html.json().get("documentId").asText(), "INDEXED");
        assertThat(reefs.get("contentType").asText()).isEqualTo("text/html");
        assertThat(reefs.get("title").asText()).as("the URL's last segment names it").isEqualTo("reefs");

        ApiClient.Response second = api.postJson("/v1/documents/" + documentId + "/versions", key,
                Json.object("url", base + "/guides/tides-v2.md"));
        assertThat(second.status()).as(second.body()).isEqualTo(202);
        assertThat(second.json().get("version").asInt()).isEqualTo(2);
        ApiClient.Response same = api.postJson("/v1/documents/" + documentId + "/versions", key,
                Json.object("url", base + "/guides/tides-v2.md"));
        assertThat(same.status()).as(same.body()).isEqualTo(200);
        assertThat(same.json().get("version").asInt()).isEqualTo(2);
        assertThat(same.json().get("unchanged").asBoolean()).isTrue();
        assertThat(requests.get("/guides/tides-v2.md")).hasValue(2);
    }

    @Test
    void internalAddressesAreRefusedUnlessAllowlistedAndNothingIsStored() throws IOException {
        String[] customer = system.registerCustomerWithId("Curious Co");
        String key = customer[1];
        // 127.0.0.2 is loopback too, but no test setting allows it: a live server there must see no request.
        HttpServer hidden = pageServer("127.0.0.2");
        String hiddenBase = "http://127.0.0.2:" + hidden.getAddress().getPort();
        try {
            Snapshot before = snapshot(customer[0]);

            for (String url : List.of(hiddenBase + "/guides/tides.md", "http://169.254.169.254/latest/meta-data/",
                    "http://[::1]/", "http://10.0.0.1/", "http://192.168.1.1/", "http://0.0.0.0/",
                    "http://[::ffff:169.254.169.254]/", "http://[fd00::1]/", "http://100.64.0.1/",
                    "http://[::ffff:127.0.0.2]:" + hidden.getAddress().getPort() + "/guides/tides.md",
                    "http://[64:ff9b:1::a9fe:a9fe]/", "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
                    "http://[100::1]/", "http://[::ffff:0:a00:1]/")) {
                ApiClient.Response refused = api.postJson("/v1/documents", key, Json.object("url", url));
                TestSystem.assertProblem(refused, 422);
                assertThat(refused.json().get("detail").asText()).as(url).contains("internal address");
            }
            ApiClient.Response redirected = api.postJson("/v1/documents", key,
                    Json.object("url", base + "/to-metadata"));
            TestSystem.assertProblem(redirected, 422);
            if (requests.containsKey("/to-metadata")) {
                // 127.0.0.1 is allowed here: the redirect was followed as far as its target, which is refused.
                assertThat(redirected.json().get("detail").asText()).contains("redirects to '169.254.169.254'");
            }

            assertThat(snapshot(customer[0])).isEqualTo(before);
            assertThat(requests).doesNotContainKey("/guides/tides.md");
        } finally {
            hidden.stop(0);
        }
    }

    @Test
    void badInputOnEveryNewEndpointIsAProblemAndChangesNothing() {
        String[] customer = system.registerCustomerWithId("Careless Inc");
        String key = customer[1];
        ApiClient.Response existing = api.upload(key, "file", "notes.txt", bytes("Some notes about tides."), null);
        assertThat(existing.status()).as(existing.body()).isEqualTo(202);
        String documentId = existing.json().get("documentId").asText();
        system.awaitStatus(key, documentId, "INDEXED");
        String readOnlyKey = system.createApiKey(key, "read").secret();
        Snapshot before = snapshot(customer[0]);

        ApiClient careless = api.outsideContract();
        for (String path : List.of("/v1/documents", "/v1/documents/" + documentId + "/versions")) {
            TestSystem.assertProblem(careless.postJson(path, key, "{\"url\": "), 400);
            TestSystem.assertProblem(careless.postJson(path, key, "null"), 400);
            TestSystem.assertProblem(careless.postJson(path, key, "{}"), 400);
            TestSystem.assertProblem(careless.postJson(path, key, "{\"url\": null}"), 400);
            TestSystem.assertProblem(careless.postJson(path, key, "{\"url\": \"  \"}"), 400);
            TestSystem.assertProblem(careless.postJson(path, key, Json.object("url", base + "/x", "colour", "red")), 400);
            TestSystem.assertProblem(careless.postJson(path, key, Json.object("url", "ftp://example.com/tides.md")), 400);
            TestSystem.assertProblem(careless.postJson(path, key, Json.object("url", "file:///etc/passwd")), 400);
            TestSystem.assertProblem(careless.postJson(path, key, Json.object("url", "not a url")), 400);
            TestSystem.assertProblem(careless.postJson(path, key, Json.object("url", "http://user:pw@example.com/")), 400);
            TestSystem.assertProblem(careless.postJson(path, key, Json.object("url", "http://2852039166/")), 400);
            TestSystem.assertProblem(api.postJson(path, key, Json.object("url", "http://169.254.169.254/")), 422);
            TestSystem.assertProblem(api.postJson(path, key, Json.object("url", "http://[::1]/")), 422);
            TestSystem.assertProblem(careless.postJson(path, key, Json.object("url", base + "/guides/tides.md",
                    "title", "t".repeat(501))), 400);
            TestSystem.assertProblem(api.postJson(path, null, Json.object("url", base + "/guides/tides.md")), 401);
            TestSystem.assertProblem(api.postJson(path, readOnlyKey, Json.object("url", base + "/guides/tides.md")),
                    403);
        }
        TestSystem.assertProblem(api.postJson("/v1/documents/" + UUID.randomUUID() + "/versions", key,
                Json.object("url", base + "/guides/tides.md")), 404);

        String batch = "/v1/documents/batch";
        TestSystem.assertProblem(careless.postJson(batch, key, "{\"items\": ["), 400);
        TestSystem.assertProblem(careless.postJson(batch, key, "{}"), 400);
        TestSystem.assertProblem(careless.postJson(batch, key, "{\"items\": []}"), 400);
        TestSystem.assertProblem(careless.postJson(batch, key, "{\"items\": [{\"url\": \"http://example.com/\", "
                + "\"colour\": \"red\"}]}"), 400);
        TestSystem.assertProblem(api.postJson(batch, key, Json.object("items",
                Collections.nCopies(101, Map.of("url", "ftp://example.com/a.txt")))), 413);
        TestSystem.assertProblem(careless.postRaw(batch, key, "text/plain", bytes("tides.md")), 415);
        TestSystem.assertProblem(multipartBatch(careless, key, List.of(), Map.of("title[0]", "lonely title")), 400);
        TestSystem.assertProblem(multipartBatch(careless, key, List.of(new Part("a.txt", bytes("a"))),
                Map.of("colour", "red")), 400);
        // A single upload refuses a part it has no use for as the batch does, rather than dropping it.
        ApiClient.Response stray = careless.uploadWithFields(key, "a.txt", bytes("a"), Map.of("titel", "Misspelt"));
        TestSystem.assertProblem(stray, 400);
        assertThat(stray.json().get("detail").asText()).contains("'titel'");
        TestSystem.assertProblem(multipartBatch(key, List.of(new Part("a.txt", bytes("a"))),
                Map.of("title[1]", "no such file")), 400);
        List<Part> tooMany = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            tooMany.add(new Part("note-" + i + ".txt", bytes("note " + i)));
        }
        TestSystem.assertProblem(multipartBatch(key, tooMany, Map.of()), 413);
        TestSystem.assertProblem(multipartBatch(null, List.of(new Part("a.txt", bytes("a"))), Map.of()), 401);
        TestSystem.assertProblem(multipartBatch(readOnlyKey, List.of(new Part("a.txt", bytes("a"))), Map.of()), 403);

        assertThat(snapshot(customer[0])).isEqualTo(before);
        assertThat(requests).as("no bad request fetched anything").isEmpty();
    }

    @Test
    void aMultipartBatchAnswersPerFileAndStoresOnlyTheGoodOnes() {
        String[] customer = system.registerCustomerWithId("Batch Files Ltd");
        String key = customer[1];
        List<Part> parts = List.of(
                new Part("tides.md", bytes(TIDES)),
                new Part("archive.zip", new byte[]{'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0}),
                new Part("reefs.html", bytes(REEFS)),
                new Part("empty.txt", new byte[0]),
                new Part("huge.txt", bytes("x".repeat(300_000))),
                new Part("latin1.txt", new byte[]{'c', 'a', 'f', (byte) 0xE9}));

        ApiClient.Response response = multipartBatch(key, parts, Map.of("title[0]", "Tides, from a batch",
                "metadata[2]", "{\"team\": \"reefs\", \"tags\": [\"coral\"]}"));

        assertThat(response.status()).as(response.body()).isEqualTo(207);
        JsonNode results = response.json().get("results");
        assertThat(statuses(results)).containsExactly(202, 415, 202, 400, 413, 415);
        for (JsonNode result : results) {
            if (result.get("status").asInt() == 202) {
                assertThat(result.get("documentId").asText()).matches(TestSystem.UUID_PATTERN);
                assertThat(result.get("version").asInt()).isEqualTo(1);
                assertThat(result.has("problem")).isFalse();
            } else {
                assertThat(result.has("documentId")).isFalse();
                JsonNode problem = result.get("problem");
                assertThat(problem.get("status").asInt()).isEqualTo(result.get("status").asInt());
                assertThat(problem.get("title").asText()).isNotBlank();
                assertThat(problem.get("detail").asText()).isNotBlank().doesNotContain("Exception");
            }
        }
        JsonNode tides = system.awaitStatus(key, results.get(0).get("documentId").asText(), "INDEXED");
        assertThat(tides.get("title").asText()).isEqualTo("Tides, from a batch");
        JsonNode reefs = system.awaitStatus(key, results.get(2).get("documentId").asText(), "INDEXED");
        assertThat(reefs.get("title").asText()).isEqualTo("reefs.html");
        assertThat(reefs.get("metadata")).isEqualTo(Json.read("{\"team\": \"reefs\", \"tags\": [\"coral\"]}"));
        assertThat(system.objectKeys("tenants/" + customer[0] + "/")).hasSize(2);
        ApiClient.Response badMetadata = multipartBatch(key, List.of(new Part("c.txt", bytes("Third note."))),
                Map.of("metadata[0]", "{\"a\": {\"b\": 1}}"));
        assertThat(badMetadata.status()).as(badMetadata.body()).isEqualTo(207);
        assertThat(badMetadata.json().get("results").get(0).get("problem").get("detail").asText()).contains("metadata.a");
        assertThat(system.objectKeys("tenants/" + customer[0] + "/")).hasSize(2);

        ApiClient.Response allGood = multipartBatch(key, List.of(new Part("a.txt", bytes("First note.")),
                new Part("b.txt", bytes("Second note."))), Map.of());
        assertThat(allGood.status()).as(allGood.body()).isEqualTo(200);
        assertThat(statuses(allGood.json().get("results"))).containsExactly(202, 202);
    }

    @Test
    void aJsonBatchOfUrlsAnswersPerUrl() {
        String[] customer = system.registerCustomerWithId("Batch Urls Ltd");
        String key = customer[1];
        List<Object> items = new ArrayList<>();
        items.add(Map.of("url", base + "/guides/tides.md", "title", "Tides by URL"));
        items.add(Map.of("url", "ftp://example.com/tides.md"));
        items.add(Map.of("url", "http://169.254.169.254/latest/meta-data/"));
        items.add(Map.of());
        items.add(null);
        items.add(Map.of("url", base + "/missing"));
        items.add(Map.of("url", base + "/image.png"));

        // Items without a URL, and one that is no object, are among them on purpose: each is refused alone.
        ApiClient.Response response = api.outsideContract().postJson("/v1/documents/batch", key,
                Json.object("items", items));

        assertThat(response.status()).as(response.body()).isEqualTo(207);
        JsonNode results = response.json().get("results");
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).get("index").asInt()).isEqualTo(i);
        }
        boolean loopbackAllowed = results.get(0).get("status").asInt() != 422;
        if (loopbackAllowed) {
            assertThat(statuses(results)).containsExactly(202, 400, 422, 400, 400, 502, 415);
            assertThat(results.get(5).get("problem").get("detail").asText()).contains("HTTP 404");
            JsonNode tides = system.awaitStatus(key, results.get(0).get("documentId").asText(), "INDEXED");
            assertThat(tides.get("title").asText()).isEqualTo("Tides by URL");
            assertThat(system.objectKeys("tenants/" + customer[0] + "/")).hasSize(1);
        } else {
            assertThat(statuses(results)).containsExactly(422, 400, 422, 400, 400, 422, 422);
            assertThat(system.objectKeys("tenants/" + customer[0] + "/")).isEmpty();
        }
        assertThat(results.get(1).get("problem").get("detail").asText()).contains("only http and https");
        assertThat(results.get(3).get("problem").get("detail").asText()).contains("'url' is required");
        assumeLoopbackAllowed(loopbackAllowed);
    }

    /**
     * Many URL items of two customers against pages that answer only once four fetches are waiting for them:
     * an instance that runs at most four fetches, two per customer, reaches exactly four, two of each
     * customer, however many items the first customer sends; then every item is taken in.
     */
    @Test
    void urlFetchesStayWithinTheProcessBoundAndAnotherCustomerStillGetsItsShare() throws Exception {
        try (RunningRoles bounded = system.startAnotherApi(FETCH_BOUNDS);
             GatedPages gated = new GatedPages(4);
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            ApiClient client = new ApiClient(bounded.httpPort());
            String[] greedy = system.registerCustomerWithId("Greedy Fetcher");
            String[] modest = system.registerCustomerWithId("Modest Fetcher");
            Future<ApiClient.Response> many = clients.submit(() -> client.postJson("/v1/documents/batch", greedy[1],
                    Json.object("items", gated.items("greedy", 8))));
            await().atMost(Duration.ofSeconds(60)).until(() -> gated.mostInFlight("greedy") >= 2);
            Future<ApiClient.Response> few = clients.submit(() -> client.postJson("/v1/documents/batch", modest[1],
                    Json.object("items", gated.items("modest", 3))));

            for (Future<ApiClient.Response> batch : List.of(many, few)) {
                ApiClient.Response response = batch.get(120, TimeUnit.SECONDS);
                assertThat(response.status()).as(response.body()).isEqualTo(200);
                assertThat(statuses(response.json().get("results"))).containsOnly(202);
            }
            assertThat(gated.mostInFlight()).as("fetches at once, counted by the pages' server").isEqualTo(4);
            assertThat(gated.mostInFlight("greedy")).as("the greedy customer's share").isEqualTo(2);
            assertThat(gated.mostInFlight("modest")).as("the other customer's share, while the greedy one waited")
                    .isEqualTo(2);
            assertThat(gated.served()).isEqualTo(11);
            assertThat(system.objectKeys("tenants/" + greedy[0] + "/")).hasSize(8);
        }
    }

    /**
     * With the process's fetches all in use, another customer's item waits its time and is answered 503 with
     * a retryAfter in its problem, and a customer over its own share gets 429 with Retry-After; neither
     * fetches or stores anything.
     */
    @Test
    void aFetchWithoutRoomIsToldWhenToRetryAndFetchesNothing() throws Exception {
        try (RunningRoles bounded = system.startAnotherApi(FETCH_BOUNDS);
             GatedPages gated = new GatedPages(0);
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            ApiClient client = new ApiClient(bounded.httpPort());
            String[] first = system.registerCustomerWithId("First Holder");
            String[] second = system.registerCustomerWithId("Second Holder");
            String[] late = system.registerCustomerWithId("Late Comer");
            List<Future<ApiClient.Response>> holding = new ArrayList<>();
            for (String[] customer : List.of(first, first, second, second)) {
                String url = gated.url(customer == first ? "first" : "second", holding.size());
                holding.add(clients.submit(() -> client.postJson("/v1/documents", customer[1], Json.object("url", url))));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> gated.inFlight() == 4);

            Future<ApiClient.Response> lateBatch = clients.submit(() -> client.postJson("/v1/documents/batch", late[1],
                    Json.object("items", gated.items("late", 1))));
            Future<ApiClient.Response> thirdOfFirst = clients.submit(() -> client.postJson("/v1/documents",
                    first[1], Json.object("url", gated.url("first", 99))));
            ApiClient.Response batch = lateBatch.get(120, TimeUnit.SECONDS);
            ApiClient.Response overShare = thirdOfFirst.get(120, TimeUnit.SECONDS);
            gated.open();

            assertThat(batch.status()).as(batch.body()).isEqualTo(207);
            JsonNode item = batch.json().get("results").get(0);
            assertThat(item.get("status").asInt()).isEqualTo(503);
            assertThat(item.get("problem").get("status").asInt()).isEqualTo(503);
            assertThat(item.get("problem").get("retryAfter").asLong()).isPositive();
            assertThat(item.get("problem").get("detail").asText()).contains("retry");
            TestSystem.assertProblem(overShare, 429);
            assertThat(overShare.header("Retry-After")).hasValueSatisfying(
                    seconds -> assertThat(Long.parseLong(seconds)).isPositive());
            assertThat(overShare.json().get("detail").asText()).contains("2 at once");
            for (Future<ApiClient.Response> held : holding) {
                assertThat(held.get(120, TimeUnit.SECONDS).status()).isEqualTo(202);
            }
            assertThat(gated.served()).as("the refused items fetched nothing").isEqualTo(4);
            assertThat(system.objectKeys("tenants/" + late[0] + "/")).isEmpty();
            assertThat(system.objectKeys("tenants/" + first[0] + "/")).hasSize(2);
        }
    }

    /** What a refused request must leave alone: the customer's events, document states and stored objects. */
    private record Snapshot(long events, long documents, long documentCount, List<String> objects) {
    }

    private Snapshot snapshot(String customerId) {
        Database database = system.database();
        return new Snapshot(
                database.count("""
                        SELECT count(*) FROM command.domain_event_entry WHERE aggregate_identifier = ?
                            OR aggregate_identifier IN (SELECT document_id FROM command.document_state
                                                        WHERE customer_id = ?)""", customerId, customerId),
                database.count("SELECT count(*) FROM command.document_state WHERE customer_id = ?", customerId),
                database.count("SELECT document_count FROM command.customer_account WHERE customer_id = ?",
                        customerId),
                system.objectKeys("tenants/" + customerId + "/"));
    }

    private record Part(String filename, byte[] content) {
    }

    /** A batch upload: a {@code file} part per document, then the given fields. */
    private ApiClient.Response multipartBatch(String key, List<Part> files, Map<String, String> fields) {
        return multipartBatch(api, key, files, fields);
    }

    private static ApiClient.Response multipartBatch(ApiClient client, String key, List<Part> files,
                                                     Map<String, String> fields) {
        String boundary = "----dynrag-batch-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Part file : files) {
            body.writeBytes(bytes("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                    + file.filename() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n"));
            body.writeBytes(file.content());
            body.writeBytes(bytes("\r\n"));
        }
        fields.forEach((name, value) -> body.writeBytes(bytes("--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n")));
        body.writeBytes(bytes("--" + boundary + "--\r\n"));
        return client.postRaw("/v1/documents/batch", key, "multipart/form-data; boundary=" + boundary,
                body.toByteArray());
    }

    private static List<Integer> statuses(JsonNode results) {
        List<Integer> statuses = new ArrayList<>();
        results.forEach(result -> statuses.add(result.get("status").asInt()));
        return statuses;
    }

    /**
     * The shared system allows 127.0.0.1 only once its settings carry {@code DYNRAG_URL_ALLOWLIST};
     * until then it must refuse the loopback page, and the rest of the test cannot run.
     */
    private static void assumeLoopbackAllowed(ApiClient.Response response) {
        if (response.status() == 422) {
            TestSystem.assertProblem(response, 422);
        }
        assumeLoopbackAllowed(response.status() != 422);
    }

    private static void assumeLoopbackAllowed(boolean allowed) {
        Assumptions.assumeTrue(allowed, "the shared test system does not set DYNRAG_URL_ALLOWLIST=127.0.0.1, so it "
                + "refuses the local pages (as it must); their indexing is not checked here");
    }

    /** Serves the test pages on {@code address}, counting the requests per path. */
    private HttpServer pageServer(String address) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        Map<String, String[]> content = new LinkedHashMap<>();
        content.put("/guides/tides.md", new String[]{"text/markdown; charset=utf-8", TIDES});
        content.put("/guides/tides-v2.md", new String[]{"text/markdown", TIDES_V2});
        content.put("/reefs", new String[]{"text/html; charset=UTF-8", REEFS});
        content.put("/image.png", new String[]{"image/png", "\u0089PNG"});
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            if ("/to-metadata".equals(path)) {
                exchange.getResponseHeaders().set("Location", "http://169.254.169.254/latest/meta-data/");
                exchange.sendResponseHeaders(302, -1);
            } else if (content.containsKey(path)) {
                respond(exchange, 200, content.get(path)[0], content.get(path)[1]);
            } else {
                respond(exchange, 404, "text/plain", "not found");
            }
            exchange.close();
        });
        server.start();
        return server;
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body)
            throws IOException {
        byte[] bytes = bytes(body);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Pages on loopback that hold every request at a gate, counting the fetches waiting there (in all and per
     * customer, the first path segment). The gate opens for good once {@code openAt} fetches are waiting at
     * once, or when the test opens it ({@code openAt} 0). A fetch stops counting before its answer is sent,
     * so the count never includes a fetch whose room the API may already have given back.
     */
    private static final class GatedPages implements AutoCloseable {

        private final HttpServer server;
        private final int openAt;
        private final CountDownLatch gate = new CountDownLatch(1);
        private final Map<String, Integer> inFlight = new HashMap<>();
        private final Map<String, Integer> most = new HashMap<>();
        private final AtomicInteger served = new AtomicInteger();
        private int total;
        private int mostInTotal;

        GatedPages(int openAt) throws IOException {
            this.openAt = openAt;
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", exchange -> {
                String customer = exchange.getRequestURI().getPath().split("/")[1];
                arrived(customer);
                try {
                    // Bounded, so a broken bound fails the assertions instead of hanging the test.
                    gate.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                left(customer);
                served.incrementAndGet();
                respond(exchange, 200, "text/markdown", "# " + exchange.getRequestURI().getPath()
                        + "\n\nA page that took its time.\n");
                exchange.close();
            });
            server.start();
        }

        String url(String customer, int page) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + customer + "/" + page + ".md";
        }

        List<Map<String, String>> items(String customer, int count) {
            List<Map<String, String>> items = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                items.add(Map.of("url", url(customer, i)));
            }
            return items;
        }

        private synchronized void arrived(String customer) {
            total++;
            mostInTotal = Math.max(mostInTotal, total);
            int now = inFlight.merge(customer, 1, Integer::sum);
            most.merge(customer, now, Math::max);
            if (openAt > 0 && total >= openAt) {
                gate.countDown();
            }
        }

        private synchronized void left(String customer) {
            total--;
            inFlight.merge(customer, -1, Integer::sum);
        }

        synchronized int inFlight() {
            return total;
        }

        synchronized int mostInFlight() {
            return mostInTotal;
        }

        synchronized int mostInFlight(String customer) {
            return most.getOrDefault(customer, 0);
        }

        int served() {
            return served.get();
        }

        void open() {
            gate.countDown();
        }

        @Override
        public void close() {
            open();
            server.stop(0);
        }
    }
}
