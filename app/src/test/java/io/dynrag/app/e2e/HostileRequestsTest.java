package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.app.e2e.HostileQueries.Refused;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Over a thousand malformed or hostile requests from a seeded generator: broken and deeply nested
 * JSON, wrong types, invalid UTF-8, wrong and missing content types, garbage multipart bodies,
 * path traversal in ids, bad query parameters, oversized headers and bodies, and forged, garbled and
 * huge {@code X-Forwarded-For} values (the test system trusts 127.0.0.1, where they come from, as a
 * proxy, so they are read). None may answer 5xx, and none may change what the customer has.
 *
 * <p>CI sends 1,200; {@code -Ddynrag.hostile.requests=100000} (and {@code -Ddynrag.hostile.seed=<n>}
 * for other requests) soaks it. Besides, the hostile search filters, id lists, options, list parameters, cursors and
 * metadata changes of {@link HostileQueries} are each sent once, and each must be refused naming its offending part.
 */
@Tag("fault")
class HostileRequestsTest {

    private static final int REQUESTS = Integer.getInteger("dynrag.hostile.requests", 1_200);

    private final TestSystem system = TestSystem.shared();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /** Its own connections, so one the server closes after refusing an oversized request is never reused. */
    private final HttpClient oversizedHttp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Random random = new Random(Long.getLong("dynrag.hostile.seed", 20261126L));
    /** The target customer, whose ceilings the operator's hostile requests aim at. */
    private String customerId;

    private record Hostile(String method, String path, String contentType, byte[] body, Map<String, String> headers) {

        /** Over the server's limits: it may answer and close the connection while the client still sends. */
        boolean oversized() {
            return body.length > 1024 * 1024 || headers.values().stream().anyMatch(value -> value.length() > 8 * 1024);
        }

        @Override
        public String toString() {
            return method + " " + path + " [" + contentType + "] "
                    + new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8);
        }
    }

    @Test
    void hostileRequestsGetClientErrorsAndChangeNothing() throws Exception {
        String[] target = system.registerCustomerWithId("Hostile Target");
        customerId = target[0];
        String key = target[1];
        Map<String, String> before = snapshot(key);

        Map<Integer, Integer> statuses = new LinkedHashMap<>();
        List<String> serverErrors = new ArrayList<>();
        List<String> unanswered = new ArrayList<>();
        int resent = 0;
        for (int i = 0; i < REQUESTS; i++) {
            Hostile hostile = next();
            int status;
            try {
                status = send(hostile, key, hostile.oversized() ? oversizedHttp : http);
            } catch (IOException e) {
                // After refusing a request without reading its body the server closes the connection;
                // a request already on its way over it gets no answer, and a client sends it again.
                try {
                    status = send(hostile, key, HttpClient.newHttpClient());
                    resent++;
                } catch (IOException again) {
                    if (!hostile.oversized()) {
                        unanswered.add(again.getMessage() + " for " + hostile);
                    }
                    status = -1;
                }
            }
            statuses.merge(status, 1, Integer::sum);
            if (status >= 500) {
                serverErrors.add(status + " for " + hostile);
            }
        }

        System.out.println("Hostile requests by status: " + statuses + "; sent again on a new connection: " + resent);
        assertThat(serverErrors).as("5xx answers").isEmpty();
        assertThat(unanswered).as("requests within the limits left without an answer").isEmpty();
        assertThat(statuses.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(REQUESTS);
        assertThat(statuses.keySet()).as("a variety of refusals").contains(400, 404, 415);
        assertThat(snapshot(key)).as("nothing the customer has changed").isEqualTo(before);
    }

    /**
     * Hostile filters, id lists, search options, list parameters, cursors and metadata changes, each sent once:
     * every one answers a 4xx problem naming what it refused, none changes the customer's document, and a plain
     * search still finds it afterwards.
     */
    @Test
    void hostileFiltersIdsOptionsAndCursorsAreRefusedNamingTheirPart() {
        String[] target = system.registerCustomerWithId("Hostile Filters");
        customerId = target[0];
        String key = target[1];
        ApiClient api = system.api();
        ApiClient.Response uploaded = api.uploadWithFields(key, "keeper.md", "The lighthouse keeper trimmed the lamp."
                .getBytes(StandardCharsets.UTF_8), Map.of("metadata", "{\"team\": \"search\", \"year\": 2024}"));
        assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(202);
        String document = uploaded.json().get("documentId").asText();
        system.awaitStatus(key, document, "INDEXED");
        // The list and the overview read the read model, which follows the document by a moment.
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> api.get("/v1/metrics/overview", key).json()
                .path("documentsByStatus").path("INDEXED").asInt() == 1
                && api.get("/v1/documents?status=INDEXED", key).json().get("documents").size() == 1);
        Map<String, String> before = snapshot(key);
        before.put("document", api.get("/v1/documents/" + document, key).body());

        List<String> failures = new ArrayList<>();
        for (Refused refused : HostileQueries.refusals(document)) {
            ApiClient.Response response = api.outsideContract().send(refused.method(), refused.path(),
                    ApiClient.bearer(key), refused.body());
            try {
                TestSystem.assertProblem(response, refused.status());
                assertThat(response.json().get("detail").asText()).contains(refused.named());
            } catch (AssertionError e) {
                failures.add(refused.what() + ": " + response.status() + " "
                        + response.body().substring(0, Math.min(response.body().length(), 400)));
            }
        }

        assertThat(failures).as("requests not refused as expected").isEmpty();
        Map<String, String> after = snapshot(key);
        after.put("document", api.get("/v1/documents/" + document, key).body());
        assertThat(after).as("nothing the customer has changed").isEqualTo(before);
        JsonNode found = system.search(key, "lighthouse keeper", 5);
        assertThat(found).as("a plain search still answers").isNotEmpty();
        assertThat(found.get(0).get("documentId").asText()).isEqualTo(document);
        // The first and the last instant of the four-digit years are times like any other.
        ApiClient.Response allYears = api.get("/v1/documents?createdAfter=0000-01-01T00:00:00Z"
                + "&createdBefore=9999-12-31T23:59:59.999999999Z", key);
        assertThat(allYears.status()).as(allYears.body()).isEqualTo(200);
        assertThat(allYears.json().get("documents")).hasSize(1);
        ApiClient.Response filtered = api.postJson("/v1/search", key, "{\"query\": \"lighthouse keeper\", "
                + "\"filter\": {\"createdAt\": {\"$gte\": \"0000-01-01\", \"$lte\": \"9999-12-31T23:59:59Z\"}}}");
        assertThat(filtered.status()).as(filtered.body()).isEqualTo(200);
        assertThat(filtered.json().get("results")).isNotEmpty();
    }

    /**
     * Hostile MCP messages: malformed JSON, JSON that is no JSON-RPC message, batches, missing, extra and mistyped
     * fields are refused as HTTP 400 problems naming their part; unknown methods and tools are JSON-RPC errors;
     * wrong, huge or deeply nested tool arguments are refused tool results naming the argument. None changes
     * anything of the customer.
     */
    @Test
    void hostileMcpMessagesGetClearErrorsAndChangeNothing() {
        String[] target = system.registerCustomerWithId("Hostile Mcp");
        customerId = target[0];
        String key = target[1];
        ApiClient api = system.api();
        Map<String, String> headers = new LinkedHashMap<>(ApiClient.bearer(key));
        headers.put("Accept", "application/json, text/event-stream");
        Map<String, String> before = snapshot(key);
        String nested = "{\"a\": ".repeat(300) + "1" + "}".repeat(300);

        Map<String, String> refusedAsHttp = new LinkedHashMap<>();
        refusedAsHttp.put("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": ", "not valid JSON");
        refusedAsHttp.put("[".repeat(20_000) + "]".repeat(20_000), "not valid JSON");
        refusedAsHttp.put("{\"hello\": \"world\"}", "'hello'");
        refusedAsHttp.put("\"tools/list\"", "JSON object");
        refusedAsHttp.put("null", "JSON object");
        refusedAsHttp.put("[{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}]", "batch");
        refusedAsHttp.put("{\"id\": 1, \"method\": \"ping\"}", "'jsonrpc'");
        refusedAsHttp.put("{\"jsonrpc\": \"1.0\", \"id\": 1, \"method\": \"ping\"}", "'jsonrpc'");
        refusedAsHttp.put("{\"jsonrpc\": \"2.0\", \"id\": 1}", "'method'");
        refusedAsHttp.put("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": 7}", "'method'");
        refusedAsHttp.put("{\"jsonrpc\": \"2.0\", \"id\": {\"x\": 1}, \"method\": \"ping\"}", "'id'");
        refusedAsHttp.put("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\", \"extra\": true}", "'extra'");
        refusedAsHttp.put("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/list\", \"params\": [1]}",
                "'params'");
        refusedAsHttp.put(toolCall("null", null), "'params.name'");
        refusedAsHttp.put("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/call\"}", "'params.name'");
        refusedAsHttp.put(toolCall("5", "{}"), "'params.name'");
        refusedAsHttp.put(toolCall("\"search\"", "\"tides\""), "'params.arguments'");
        refusedAsHttp.put(toolCall("\"search\"", "[\"tides\"]"), "'params.arguments'");

        Map<String, String> refusedTools = new LinkedHashMap<>();
        refusedTools.put(toolCall("\"search\"", "{\"query\": 5}"), "query");
        refusedTools.put(toolCall("\"search\"", "{\"query\": \"tides\", \"topK\": \"many\"}"), "topK");
        refusedTools.put(toolCall("\"search\"", "{\"query\": \"" + "q".repeat(900_000) + "\"}"), "query");
        refusedTools.put(toolCall("\"search\"", "{\"query\": \"tides\", \"filter\": " + nested + "}"), "filter");
        refusedTools.put(toolCall("\"add_text_document\"", "{\"title\": 5, \"text\": \"t\"}"), "title");
        refusedTools.put(toolCall("\"add_text_document\"", "{\"title\": \"Deep\", \"text\": \"t\", "
                + "\"metadata\": " + nested + "}"), "metadata");
        refusedTools.put(toolCall("\"add_text_document\"", "{\"title\": \"T\"}"), "text");
        refusedTools.put(toolCall("\"add_text_document\"", "{\"title\": \"T\", \"text\": \"t\", \"colour\": 1}"),
                "colour");
        refusedTools.put(toolCall("\"get_document\"", "{\"documentId\": [\"../../etc/passwd\"]}"), "documentId");
        refusedTools.put(toolCall("\"read_document\"", "{}"), "documentId");

        List<String> failures = new ArrayList<>();
        refusedAsHttp.forEach((body, named) -> expect(failures, body, () -> {
            ApiClient.Response response = api.outsideContract().send("POST", "/mcp", headers, body);
            TestSystem.assertProblem(response, 400);
            assertThat(response.json().get("detail").asText()).contains(named);
        }));
        refusedTools.forEach((body, named) -> expect(failures, body, () -> {
            ApiClient.Response response = api.outsideContract().send("POST", "/mcp", headers, body);
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            JsonNode result = response.json().get("result");
            assertThat(result.get("isError").asBoolean()).as(response.body()).isTrue();
            assertThat(result.get("content").get(0).get("text").asText()).contains(named)
                    .doesNotContain("Exception").doesNotContain("io.dynrag");
        }));
        for (String[] unknown : List.<String[]>of(
                new String[]{"{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"resources/delete\"}", "-32601"},
                new String[]{toolCall("\"drop_database\"", "{}"), "-32602"})) {
            expect(failures, unknown[0], () -> {
                ApiClient.Response response = api.outsideContract().send("POST", "/mcp", headers, unknown[0]);
                assertThat(response.status()).as(response.body()).isEqualTo(200);
                assertThat(response.json().get("error").get("code").asText()).isEqualTo(unknown[1]);
                assertThat(response.json().get("error").get("message").asText()).isNotBlank();
            });
        }

        assertThat(failures).as("MCP messages not refused as expected").isEmpty();
        assertThat(snapshot(key)).as("nothing the customer has changed").isEqualTo(before);
    }

    /** A tools/call request; {@code arguments} null leaves them out. */
    private static String toolCall(String name, String arguments) {
        return "{\"jsonrpc\": \"2.0\", \"id\": 7, \"method\": \"tools/call\", \"params\": {\"name\": " + name
                + (arguments == null ? "" : ", \"arguments\": " + arguments) + "}}";
    }

    private static void expect(List<String> failures, String body, Runnable check) {
        try {
            check.run();
        } catch (AssertionError e) {
            failures.add(body.substring(0, Math.min(body.length(), 120)) + ": " + e.getMessage()
                    .substring(0, Math.min(e.getMessage().length(), 400)));
        }
    }

    /** What the customer has, as the API shows it. */
    private Map<String, String> snapshot(String key) {
        ApiClient api = system.api();
        Map<String, String> state = new LinkedHashMap<>();
        for (String path : List.of("/v1/customer/config", "/v1/webhooks", "/v1/api-keys", "/v1/budget",
                "/v1/audit/events?limit=1000")) {
            ApiClient.Response response = api.get(path, key);
            assertThat(response.status()).as(path + ": " + response.body()).isEqualTo(200);
            state.put(path, response.json().toString());
        }
        state.put("documents", api.get("/v1/metrics/overview", key).json().get("documentsByStatus").toString());
        state.put("ceilings", api.get("/v1/admin/customers/" + customerId + "/ceilings", TestSystem.OPERATOR_TOKEN)
                .json().toString());
        return state;
    }

    private int send(Hostile hostile, String key, HttpClient client) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(system.api().baseUrl() + hostile.path()))
                .timeout(Duration.ofSeconds(30))
                .method(hostile.method(), hostile.body().length == 0 && hostile.method().equals("GET")
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(hostile.body()));
        if (!hostile.headers().containsKey("Authorization")) {
            request.header("Authorization", "Bearer " + key);
        }
        if (hostile.contentType() != null) {
            request.header("Content-Type", hostile.contentType());
        }
        hostile.headers().forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private Hostile next() {
        List<Supplier<Hostile>> kinds = List.of(
                () -> json("POST", "/v1/search", searchBody()),
                () -> json("PUT", "/v1/customer/config", configBody()),
                () -> new Hostile("PUT", "/v1/admin/customers/" + pick(customerId, customerId, hostileId()) + "/ceilings",
                        "application/json", ceilingsBody(),
                        Map.of("Authorization", "Bearer " + TestSystem.OPERATOR_TOKEN)),
                () -> json("POST", "/v1/webhooks", webhookBody()),
                () -> json("PUT", "/v1/webhooks/" + hostileId(), webhookBody()),
                () -> json("POST", "/v1/api-keys", apiKeyBody()),
                () -> json("PUT", "/v1/customer/provider-key", providerKeyBody()),
                () -> json("POST", "/v1/documents", urlBody()),
                () -> json("POST", "/v1/documents/batch", garbage()),
                () -> json(pick("POST", "PUT"), pick("/v1/auth/login", "/v1/auth/signup", "/v1/auth/refresh"),
                        garbage()),
                () -> new Hostile("POST", "/v1/documents", pick(null, "text/plain", "application/xml",
                        "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=x"),
                        randomBytes(), Map.of()),
                () -> new Hostile("POST", "/v1/documents/" + hostileId() + "/versions",
                        "multipart/form-data; boundary=b", multipartWithTraversal(), Map.of()),
                () -> new Hostile(pick("GET", "DELETE"), "/v1/documents/" + hostileId()
                        + pick("", "/versions", "?asOf=" + garbageParameter()), null, new byte[0], Map.of()),
                () -> new Hostile("GET", pick("/v1/usage", "/v1/audit/events", "/v1/usage/documents",
                        "/v1/metrics/cost", "/v1/webhooks/" + hostileId() + "/deliveries") + "?"
                        + pick("from", "to", "cursor", "limit", "granularity", "documentId") + "="
                        + garbageParameter(), null, new byte[0], Map.of()),
                () -> new Hostile("POST", "/v1/search", "application/json", bigBody(), Map.of()),
                () -> new Hostile("POST", "/v1/search", "application/json", "{\"query\":\"ok\"}".getBytes(
                        StandardCharsets.UTF_8), Map.of("X-Padding", "x".repeat(32 * 1024))),
                () -> new Hostile("POST", "/v1/search", "application/json", "{\"query\":\"ok\"}".getBytes(
                        StandardCharsets.UTF_8), Map.of("X-Correlation-Id", pick("", "a b", "<script>",
                        "x".repeat(500)))),
                () -> new Hostile("POST", pick("/v1/auth/login", "/v1/auth/signup", "/v1/auth/refresh", "/v1/search"),
                        "application/json", garbage(), Map.of("X-Forwarded-For", forwardedFor())),
                () -> new Hostile("GET", "/v1/customer/config", null, new byte[0],
                        Map.of("X-Forwarded-For", forwardedFor())),
                () -> json("PATCH", "/v1/documents/" + hostileId(), patchBody()),
                () -> new Hostile("GET", "/v1/documents" + pick("", "/" + hostileId() + "/chunks",
                        "/" + hostileId() + "/content") + "?" + pick("limit", "cursor", "status", "sort", "order",
                        "asOf", "createdAfter", "updatedBefore", "titlePrefix", "metadata.team", "metadata.",
                        "version", "contentType") + "=" + garbageParameter(), null, new byte[0], Map.of()),
                () -> new Hostile("POST", "/mcp", pick("application/json", "text/json"), mcpBody(),
                        Map.of("Accept", pick("application/json, text/event-stream", "text/html"))));
        return kinds.get(random.nextInt(kinds.size())).get();
    }

    private Hostile json(String method, String path, byte[] body) {
        return new Hostile(method, path, pick("application/json", "application/json; charset=utf-8",
                "application/json", "text/json"), body, Map.of());
    }

    private byte[] searchBody() {
        return utf8(pick("{\"query\": 5}", "{\"query\": \"\"}", "{\"query\": \"x\", \"topK\": \"ten\"}",
                "{\"query\": \"x\", \"topK\": 100000}", "{\"query\": \"x\", \"asOf\": \"" + garbageParameter() + "\"}",
                "{\"query\": \"x\", \"version\": -1}", "{\"query\": \"x\", \"documentId\": \"../../etc/passwd\"}",
                "{\"query\": \"x\", \"version\": 1}", "{\"query\": [\"x\"]}", "{\"query\": \"x\", \"topK\": 1e400}",
                "{\"query\": \"x\", \"mode\": 7}", "{\"query\": \"x\", \"mode\": \"KEYWORD \"}",
                "{\"query\": \"x\", \"keywordWeight\": 1e400}", "{\"query\": \"x\", \"keywordWeight\": \"lots\"}",
                "{\"query\": \"x\", \"minScore\": -1e400}", "{\"query\": \"x\", \"maxChunksPerDocument\": -3}"),
                garbage());
    }

    /** Broken MCP messages, and tool calls with wrong, foreign or hostile arguments that add nothing. */
    private byte[] mcpBody() {
        return utf8(pick("[]", "[{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}]", "{}", "{\"jsonrpc\": 2}",
                "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/call\", \"params\": {\"name\": \"search\", "
                        + "\"arguments\": {\"query\": [1]}}}",
                "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/call\", \"params\": {\"name\": \"get_document\", "
                        + "\"arguments\": {\"documentId\": \"" + hostileId() + "\"}}}",
                "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/call\", \"params\": {\"name\": "
                        + "\"add_document_from_url\", \"arguments\": {\"url\": \"" + internalUrl() + "\"}}}",
                "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/call\", \"params\": {\"name\": \"nope\"}}",
                "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"sampling/createMessage\", \"params\": {}}"),
                garbage());
    }

    /** Changes of title and metadata that break the rules, on documents the customer does not have. */
    private byte[] patchBody() {
        return utf8(pick("{}", "{\"title\": 5}", "{\"title\": \"" + "t".repeat(600) + "\"}",
                "{\"metadata\": {\"a\": {\"nested\": 1}}}", "{\"metadata\": {\"bad key!\": 1}}",
                "{\"metadata\": {\"tags\": [1, [2]]}}", "{\"metadata\": \"flat\"}", "{\"colour\": 1}",
                "{\"metadata\": {\"x\": \"" + "v".repeat(5_000) + "\"}}"), garbage());
    }

    private byte[] configBody() {
        return utf8(pick("{\"requestsPerMinute\": \"lots\"}", "{\"embeddingModel\": 5}",
                "{\"embeddingModel\": \"gpt-9\"}", "{\"maxDocuments\": -1}", "{\"chunkTokens\": 100000}",
                "{\"allowedContentTypes\": \"text/plain\"}", "{\"budgetAlertPercent\": 1000}",
                "{\"requestsPerMinute\": 1e400}", "[]", "\"config\"", "null"), garbage());
    }

    /** Never a valid change: the operator's requests must change nothing either. */
    private byte[] ceilingsBody() {
        return utf8(pick("{\"requestsPerMinute\": \"lots\"}", "{\"maxDocuments\": 0}", "{\"maxFileBytes\": 1e400}",
                "{\"requestsPerDay\": -5}", "{\"maxFileBytes\": 99999999999999999}", "{\"maxDocuments\": [5]}",
                "{\"requestsPerMinute\": 2.5}", "{\"colour\": 1}", "[]", "\"ceilings\"", "null"), garbage());
    }

    private byte[] webhookBody() {
        return utf8(pick("{\"url\": 5}", "{\"url\": \"\"}", "{\"url\": \"file:///etc/passwd\"}",
                "{\"url\": \"http://169.254.169.254/latest\", \"eventTypes\": [\"document.indexed\"]}",
                "{\"url\": \"gopher://x\"}", "{\"eventTypes\": [\"everything\"]}",
                "{\"url\": \"http://[::1]:1/\", \"eventTypes\": \"document.indexed\"}",
                "{\"url\": \"" + internalUrl() + "\", \"eventTypes\": [\"document.indexed\"]}"), garbage());
    }

    /** Never empty: an empty body asks for a key with the defaults, which is a valid request. */
    private byte[] apiKeyBody() {
        byte[] body = garbage();
        return utf8(pick("{\"name\": 5}", "{\"name\": \"x\", \"scopes\": [\"root\"]}",
                "{\"name\": \"x\", \"scopes\": \"ingest\"}", "{\"name\": \"" + "n".repeat(5_000) + "\"}",
                "{\"scopes\": [null]}"), body.length == 0 ? randomBytes() : body);
    }

    private byte[] providerKeyBody() {
        return utf8(pick("{\"provider\": \"evil\", \"key\": \"sk\"}", "{\"provider\": \"openai\", \"key\": 5}",
                "{\"provider\": \"openai\", \"key\": \"sk-x\", \"baseUrl\": \"http://169.254.169.254\"}",
                "{\"provider\": \"openai\", \"key\": \"sk-x\", \"baseUrl\": \"ftp://x\"}"), garbage());
    }

    private byte[] urlBody() {
        return utf8(pick("{\"url\": 5}", "{\"url\": \"file:///etc/passwd\"}", "{\"url\": \"http://10.0.0.1/\"}",
                "{\"url\": \"javascript:alert(1)\"}", "{\"url\": \"http://169.254.169.254/\"}", "{}",
                "{\"url\": \"" + internalUrl() + "\"}"), garbage());
    }

    /**
     * Internal addresses in disguise: IPv6 forms that carry one or lead into our network, in several spellings,
     * numbers that browsers read as addresses, trailing dots and userinfo tricks. Every one is refused before
     * anything is sent (127.0.0.1 itself is left out: the test system's allowlist permits it).
     */
    private String internalUrl() {
        return pick("http://[64:ff9b:1::7f00:1]/", "http://[64:FF9B:1::A9FE:A9FE]/latest",
                "http://[0064:ff9b:0001:0000:0000:0000:0a00:0001]/", "http://[64:ff9b:1::8.8.8.8]/",
                "http://[64:ff9b::169.254.169.254]/", "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
                "http://[2001::]/", "http://[100::1]/", "http://[0100::ffff:ffff:ffff:ffff]/",
                "http://[::ffff:0:a9fe:a9fe]/", "http://[::FFFF:169.254.169.254]/", "http://[2002:a9fe:a9fe::1]/",
                "http://[4000::1]/", "http://2852039166/", "http://0251.0376.0251.0376/", "http://0xa9fea9fe/",
                "http://127.000.000.001/", "http://169.254.169.254./", "http://example.com@169.254.169.254/",
                "http://169.254.169.254:80@example.com/", "http://169.254.169.254#@example.com/",
                "http://example.com%40169.254.169.254/", "http://127.0.0.2/", "http://[::127.0.0.2]/");
    }

    /** Either the given JSON or, as often, something that is not JSON at all. */
    private byte[] utf8(String json, byte[] otherwise) {
        return random.nextBoolean() ? json.getBytes(StandardCharsets.UTF_8) : otherwise;
    }

    private byte[] garbage() {
        return switch (random.nextInt(7)) {
            case 0 -> randomBytes();
            case 1 -> "{\"query\": \"unterminated".getBytes(StandardCharsets.UTF_8);
            case 2 -> ("[".repeat(20_000) + "]".repeat(20_000)).getBytes(StandardCharsets.UTF_8);
            case 3 -> new byte[]{'{', '"', 'q', '"', ':', '"', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '"', '}'};
            case 4 -> "{\"a\": \"\\ud800\"}".getBytes(StandardCharsets.UTF_8);
            case 5 -> new byte[0];
            default -> "{\"email\": {\"$gt\": \"\"}, \"password\": [1, 2]}".getBytes(StandardCharsets.UTF_8);
        };
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[1 + random.nextInt(2_000)];
        random.nextBytes(bytes);
        return bytes;
    }

    private byte[] bigBody() {
        return ("{\"query\": \"" + "q".repeat(3 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private byte[] multipartWithTraversal() {
        return ("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + pick("../../etc/passwd",
                "..\\\\..\\\\boot.ini", "%2e%2e%2fx", "a\u0000b.txt") + "\"\r\n\r\n" + "text" + "\r\n--b--\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** What a client (or a broken proxy) may put in X-Forwarded-For. */
    private String forwardedFor() {
        return pick(",", " , ,", "unknown", "127.0.0.1", "10.0.0.1, 203.0.113.9", "999.999.999.999", "::1::",
                "[::1]:80", "[::1", "203.0.113.9:99999999", ".:", ".:, 198.51.100.1", "_hidden", "0x7f.1",
                "2130706433", "%00%0d%0aSet-Cookie: x=1", "<script>", "1.2.3.4, ".repeat(600), "x".repeat(9_000),
                "a:".repeat(2_000));
    }

    private String hostileId() {
        return pick("..%2F..%2Fetc%2Fpasswd", "%2e%2e", UUID.randomUUID().toString(), "'%20OR%201=1--",
                "x".repeat(3_000), "%00", "..;", "%C3%28");
    }

    private String garbageParameter() {
        return pick("yesterday", "%00", "-1", "99999999999999999999", "2026-13-45T99:99:99Z", "%FF%FE", "'", "");
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }
}
