package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.dynrag.app.e2e.TestSystem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Webhooks over HTTP against the whole system: events of the pipeline reach a receiver on loopback (which the
 * test system's {@code DYNRAG_URL_ALLOWLIST} permits), signed as docs/webhooks.md says; failures are retried within
 * seconds and an endpoint that keeps failing gets its webhook disabled (the test system shortens the retry
 * window to ten seconds).
 */
@Tag("e2e")
class WebhooksTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);
    private static final String TIDES = """
            # Tides

            The moon pulls the ocean towards it, raising two bulges of water that sweep around the planet.
            """;

    private TestSystem system;
    private ApiClient api;
    private Receiver receiver;

    @BeforeEach
    void start() {
        system = TestSystem.shared();
        api = system.api();
        receiver = new Receiver();
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void documentEventsReachTheWebhookSignedAndAreLogged() throws Exception {
        String key = system.registerCustomer("Hooked Inc");
        JsonNode webhook = create(key, receiver.url("/events"), List.of("document.indexed", "document.deleted"),
                "keeps our search index in sync");
        String webhookId = webhook.get("webhookId").asText();
        String secret = webhook.get("secret").asText();
        assertThat(webhookId).matches(TestSystem.UUID_PATTERN);
        assertThat(secret).startsWith("whsec_").hasSize("whsec_".length() + 44);
        assertThat(webhook.get("url").asText()).isEqualTo(receiver.url("/events"));
        assertThat(webhook.get("eventTypes")).extracting(JsonNode::asText)
                .containsExactly("document.deleted", "document.indexed");
        assertThat(webhook.get("description").asText()).isEqualTo("keeps our search index in sync");
        assertThat(webhook.get("enabled").asBoolean()).isTrue();
        assertThat(webhook.get("disabledReason").isNull()).isTrue();

        ApiClient.Response uploaded = api.upload(key, "file", "tides.md", TIDES.getBytes(StandardCharsets.UTF_8),
                "Tides");
        assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(202);
        String documentId = uploaded.json().get("documentId").asText();
        system.awaitStatus(key, documentId, "INDEXED");

        Received indexed = receiver.awaitRequest("/events", request -> request.type().equals("document.indexed"));
        assertThat(indexed.header("Content-Type")).isEqualTo("application/json");
        assertThat(indexed.header("User-Agent")).startsWith("DynamicRAG-Webhooks/");
        assertThat(verify(secret, indexed)).as("the signature verifies with the secret shown at creation").isTrue();
        assertThat(verify("whsec_" + "A".repeat(43) + "=", indexed)).isFalse();
        JsonNode body = indexed.json();
        assertThat(body.get("id").asText()).isEqualTo(indexed.header("Webhook-Id")).matches(TestSystem.UUID_PATTERN);
        assertThat(Instant.parse(body.get("createdAt").asText())).isBefore(Instant.now());
        assertThat(body.get("data").get("documentId").asText()).isEqualTo(documentId);
        assertThat(body.get("data").get("version").asInt()).isEqualTo(1);
        assertThat(body.get("data").get("chunks").asInt()).isPositive();
        assertThat(body.get("data").get("model").asText()).isEqualTo("all-minilm-l6-v2");

        assertThat(api.delete("/v1/documents/" + documentId, key).status()).isEqualTo(202);
        Received deleted = receiver.awaitRequest("/events", request -> request.type().equals("document.deleted"));
        assertThat(verify(secret, deleted)).isTrue();
        assertThat(deleted.json().get("data").get("documentId").asText()).isEqualTo(documentId);

        // The receiver has the request before the dispatcher records its answer.
        JsonNode log = await().atMost(Duration.ofSeconds(10)).until(
                () -> ok(api.get("/v1/webhooks/" + webhookId + "/deliveries", key)).get("deliveries"),
                deliveries -> deliveries.size() == 2 && deliveries.findValuesAsText("status").stream()
                        .noneMatch("PENDING"::equals));
        assertThat(log).extracting(delivery -> delivery.get("eventType").asText())
                .containsExactly("document.deleted", "document.indexed");
        assertThat(log).allSatisfy(delivery -> {
            assertThat(delivery.get("status").asText()).isEqualTo("DELIVERED");
            assertThat(delivery.get("attempts").asInt()).isEqualTo(1);
            assertThat(delivery.get("lastStatusCode").asInt()).isEqualTo(200);
            assertThat(delivery.get("deliveredAt").isNull()).isFalse();
        });
        assertThat(log.get(1).get("deliveryId").asText()).isEqualTo(indexed.header("Webhook-Id"));
        assertThat(receiver.received("/events")).as("each event once, no other event types")
                .extracting(Received::type).containsExactlyInAnyOrder("document.indexed", "document.deleted");

        JsonNode listed = ok(api.get("/v1/webhooks", key)).get("webhooks");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("webhookId").asText()).isEqualTo(webhookId);
        assertThat(listed.get(0).has("secret")).as("shown only once").isFalse();
        assertThat(ok(api.get("/v1/webhooks/" + webhookId, key)).has("secret")).isFalse();
    }

    @Test
    void aDeliveryTheReceiverRefusesIsRetriedAndTheLogShowsAttemptsAndCodes() throws Exception {
        String key = system.registerCustomer("Flaky Endpoints Ltd");
        CountDownLatch release = new CountDownLatch(1);
        receiver.answer("/flaky", 500);
        receiver.holdNextUntil("/flaky", release);
        JsonNode webhook = create(key, receiver.url("/flaky"), List.of("document.failed"), null);
        String webhookId = webhook.get("webhookId").asText();

        ApiClient.Response test = api.postJson("/v1/webhooks/" + webhookId + "/test", key, "");
        assertThat(test.status()).as(test.body()).isEqualTo(202);
        String deliveryId = test.json().get("deliveryId").asText();

        // The second attempt is held open by the receiver: meanwhile the log shows the first one.
        await().atMost(DELIVERY_TIMEOUT).until(() -> receiver.received("/flaky").size() == 2);
        JsonNode during = delivery(key, webhookId, deliveryId);
        assertThat(during.get("status").asText()).isEqualTo("PENDING");
        assertThat(during.get("attempts").asInt()).isEqualTo(1);
        assertThat(during.get("lastStatusCode").asInt()).isEqualTo(500);
        assertThat(during.get("lastError").asText()).isEqualTo("HTTP 500");
        assertThat(during.get("nextAttemptAt").isNull()).isFalse();
        release.countDown();

        await().atMost(DELIVERY_TIMEOUT).untilAsserted(() ->
                assertThat(delivery(key, webhookId, deliveryId).get("status").asText()).isEqualTo("DELIVERED"));
        JsonNode delivered = delivery(key, webhookId, deliveryId);
        assertThat(delivered.get("eventType").asText()).isEqualTo("webhook.test");
        assertThat(delivered.get("attempts").asInt()).isEqualTo(2);
        assertThat(delivered.get("lastStatusCode").asInt()).isEqualTo(200);
        assertThat(delivered.get("lastError").isNull()).isTrue();
        List<Received> attempts = receiver.received("/flaky");
        assertThat(attempts).hasSize(2).extracting(request -> request.header("Webhook-Id")).containsOnly(deliveryId);
        assertThat(attempts.get(1).body()).as("the same body, signed anew").isEqualTo(attempts.get(0).body());
        assertThat(verify(webhook.get("secret").asText(), attempts.get(1))).isTrue();
        assertThat(attempts.get(0).json().get("type").asText()).isEqualTo("webhook.test");
        assertThat(attempts.get(0).json().get("data").get("webhookId").asText()).isEqualTo(webhookId);
    }

    @Test
    void aWebhookWhoseEndpointKeepsFailingIsDisabledWithTheReasonUntilItIsEnabledAgain() {
        String key = system.registerCustomer("Down For Good");
        receiver.answerAlways("/down", 503);
        String webhookId = create(key, receiver.url("/down"), List.of("document.indexed"), null)
                .get("webhookId").asText();

        String deliveryId = api.postJson("/v1/webhooks/" + webhookId + "/test", key, "").json()
                .get("deliveryId").asText();

        await().atMost(DELIVERY_TIMEOUT).untilAsserted(() ->
                assertThat(ok(api.get("/v1/webhooks/" + webhookId, key)).get("enabled").asBoolean()).isFalse());
        JsonNode disabled = ok(api.get("/v1/webhooks/" + webhookId, key));
        assertThat(disabled.get("disabledReason").asText()).contains("Disabled automatically", "HTTP 503",
                "PUT {\"enabled\": true}");
        JsonNode failed = delivery(key, webhookId, deliveryId);
        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("attempts").asInt()).isGreaterThan(1);
        assertThat(failed.get("lastStatusCode").asInt()).isEqualTo(503);
        assertThat(failed.get("nextAttemptAt").isNull()).isTrue();
        assertThat(receiver.received("/down")).hasSize(failed.get("attempts").asInt());
        assertProblem(api.postJson("/v1/webhooks/" + webhookId + "/test", key, ""), 409);

        receiver.answerAlways("/down", 200);
        JsonNode enabled = ok(api.putJson("/v1/webhooks/" + webhookId, key, Json.object("enabled", true)));
        assertThat(enabled.get("enabled").asBoolean()).isTrue();
        assertThat(enabled.get("disabledReason").isNull()).isTrue();
        String again = api.postJson("/v1/webhooks/" + webhookId + "/test", key, "").json().get("deliveryId").asText();
        await().atMost(DELIVERY_TIMEOUT).untilAsserted(() ->
                assertThat(delivery(key, webhookId, again).get("status").asText()).isEqualTo("DELIVERED"));
    }

    @Test
    void aSignedInUserRotatesTheSecretAndBothSecretsVerifyForADay() throws Exception {
        TestSystem.Account account = system.signUp("Rotating Keys Co");
        String token = account.accessToken();
        JsonNode webhook = create(token, receiver.url("/rotating"), List.of("budget.threshold_reached"), "alerts");
        String webhookId = webhook.get("webhookId").asText();

        JsonNode rotated = ok(api.postJson("/v1/webhooks/" + webhookId + "/rotate-secret", token, ""));
        assertThat(rotated.get("webhookId").asText()).isEqualTo(webhookId);
        String newSecret = rotated.get("secret").asText();
        assertThat(newSecret).startsWith("whsec_").isNotEqualTo(webhook.get("secret").asText());
        api.postJson("/v1/webhooks/" + webhookId + "/test", token, "");

        Received test = receiver.awaitRequest("/rotating", request -> true);
        assertThat(verify(newSecret, test)).isTrue();
        assertThat(verify(webhook.get("secret").asText(), test)).as("the previous secret still signs").isTrue();

        assertThat(api.delete("/v1/webhooks/" + webhookId, token).status()).isEqualTo(204);
        assertProblem(api.get("/v1/webhooks/" + webhookId, token), 404);
        assertProblem(api.delete("/v1/webhooks/" + webhookId, token), 404);
        assertThat(system.database().count("SELECT count(*) FROM command.webhook_delivery WHERE webhook_id = ?",
                UUID.fromString(webhookId))).isZero();
    }

    @Test
    void badInputOnEveryEndpointIsRefusedAndChangesNothing() {
        String key = system.registerCustomer("Careless Input Co");
        String url = receiver.url("/hooks");
        List<String> types = List.of("document.indexed");
        ApiClient careless = api.outsideContract();

        assertProblem(careless.postJson("/v1/webhooks", key, Json.object("eventTypes", types)), 400);
        assertProblem(careless.postJson("/v1/webhooks", key, Json.object("url", url)), 400);
        assertProblem(careless.postJson("/v1/webhooks", key, Json.object("url", url, "eventTypes", List.of())), 400);
        assertProblem(careless.postJson("/v1/webhooks", key, Json.object("url", url, "eventTypes",
                List.of("document.indexed", "document.exploded"))), 400);
        assertProblem(careless.postJson("/v1/webhooks", key, Json.object("url", url, "eventTypes",
                List.of("webhook.test"))), 400);
        assertProblem(careless.postJson("/v1/webhooks", key, Json.object("url", "ftp://127.0.0.1/hooks",
                "eventTypes", types)), 400);
        assertProblem(careless.postJson("/v1/webhooks", key, Json.object("url", "https://user:pw@127.0.0.1/",
                "eventTypes", types)), 400);
        assertProblem(careless.postJson("/v1/webhooks", key, Json.object("url", url, "eventTypes", types,
                "description", "x".repeat(501))), 400);
        assertProblem(careless.postJson("/v1/webhooks", key, Json.object("url", url, "eventTypes", types,
                "secret", "whsec_mine")), 400);
        assertProblem(careless.postJson("/v1/webhooks", key, "{\"url\": "), 400);
        assertProblem(careless.postJson("/v1/webhooks", key, "null"), 400);
        assertProblem(careless.postJson("/v1/webhooks", key, ""), 400);
        for (String internal : List.of("http://10.0.0.1/hooks", "http://169.254.169.254/latest/meta-data/",
                "http://127.0.0.2:9/hooks", "http://[::1]/hooks", "http://192.168.1.1/",
                "http://[64:ff9b:1::a00:1]/hooks", "http://[100::1]/hooks", "http://[2001::]/hooks")) {
            ApiClient.Response refused = api.postJson("/v1/webhooks", key,
                    Json.object("url", internal, "eventTypes", types));
            assertProblem(refused, 422);
            assertThat(refused.json().get("detail").asText()).as(internal).contains("internal address");
        }
        assertThat(ok(api.get("/v1/webhooks", key)).get("webhooks")).as("nothing stored").isEmpty();

        JsonNode webhook = create(key, url, types, "original");
        String path = "/v1/webhooks/" + webhook.get("webhookId").asText();
        assertProblem(careless.putJson(path, key, "{}"), 400);
        assertProblem(careless.putJson(path, key, Json.object("url", "http://10.1.2.3/")), 422);
        assertProblem(careless.putJson(path, key, Json.object("eventTypes", List.of("everything"))), 400);
        assertProblem(careless.putJson(path, key, Json.object("enabled", "sometimes")), 400);
        assertProblem(careless.putJson(path, key, Json.object("description", "y".repeat(501))), 400);
        JsonNode unchanged = ok(api.get(path, key));
        assertThat(unchanged.get("url").asText()).isEqualTo(url);
        assertThat(unchanged.get("description").asText()).isEqualTo("original");
        assertThat(unchanged.get("enabled").asBoolean()).isTrue();

        assertProblem(careless.get(path + "/deliveries?limit=0", key), 400);
        assertProblem(careless.get(path + "/deliveries?limit=many", key), 400);
        assertProblem(careless.get(path + "/deliveries?after=yesterday", key), 400);
        assertProblem(api.get("/v1/webhooks/not-a-webhook", key), 404);
        assertProblem(api.get("/v1/webhooks/" + UUID.randomUUID(), key), 404);
        assertProblem(api.postJson("/v1/webhooks/" + UUID.randomUUID() + "/test", key, ""), 404);

        for (int i = 1; i < 20; i++) {
            create(key, url, types, "webhook " + i);
        }
        assertProblem(api.postJson("/v1/webhooks", key, Json.object("url", url, "eventTypes", types)), 409);
        assertThat(ok(api.get("/v1/webhooks", key)).get("webhooks")).hasSize(20);
    }

    @Test
    void onlyTheCustomersOwnAdminCredentialsReachItsWebhooks() {
        String owner = system.registerCustomer("Owner Co");
        String stranger = system.registerCustomer("Stranger Co");
        String url = receiver.url("/private");
        JsonNode webhook = create(owner, url, List.of("document.indexed"), "mine");
        String path = "/v1/webhooks/" + webhook.get("webhookId").asText();

        assertProblem(api.get(path, stranger), 404);
        assertProblem(api.putJson(path, stranger, Json.object("url", url + "/stolen", "enabled", false)), 404);
        assertProblem(api.postJson(path + "/rotate-secret", stranger, ""), 404);
        assertProblem(api.postJson(path + "/test", stranger, ""), 404);
        assertProblem(api.get(path + "/deliveries", stranger), 404);
        assertProblem(api.delete(path, stranger), 404);
        assertThat(ok(api.get("/v1/webhooks", stranger)).get("webhooks")).isEmpty();
        JsonNode untouched = ok(api.get(path, owner));
        assertThat(untouched.get("url").asText()).isEqualTo(url);
        assertThat(untouched.get("enabled").asBoolean()).isTrue();
        assertThat(receiver.received("/private")).isEmpty();

        String readOnly = system.createApiKey(owner, "read", "ingest", "search").secret();
        assertProblem(api.get("/v1/webhooks", readOnly), 403);
        assertProblem(api.get(path, readOnly), 403);
        assertProblem(api.postJson("/v1/webhooks", readOnly, Json.object("url", url,
                "eventTypes", List.of("document.indexed"))), 403);
        assertProblem(api.postJson(path + "/test", readOnly, ""), 403);
        assertProblem(api.get("/v1/webhooks", TestSystem.OPERATOR_TOKEN), 403);
        assertProblem(api.get("/v1/webhooks", null), 401);
        assertProblem(api.delete(path, null), 401);
        assertThat(ok(api.get(path, owner)).get("enabled").asBoolean()).isTrue();
    }

    @Test
    void aDeletedCustomersWebhooksAndDeliveriesAreRemoved() {
        String[] customer = system.registerCustomerWithId("Leaving Soon");
        String webhookId = create(customer[1], receiver.url("/leaving"), List.of("document.indexed"), null)
                .get("webhookId").asText();
        api.postJson("/v1/webhooks/" + webhookId + "/test", customer[1], "");
        receiver.awaitRequest("/leaving", request -> true);

        ApiClient.Response deleted = api.delete("/v1/admin/customers/" + customer[0], TestSystem.OPERATOR_TOKEN);
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);

        Database database = system.database();
        await().atMost(DELIVERY_TIMEOUT).until(() ->
                database.count("SELECT count(*) FROM command.webhook WHERE customer_id = ?", customer[0]) == 0);
        assertThat(database.count("SELECT count(*) FROM command.webhook_delivery WHERE webhook_id = ?",
                UUID.fromString(webhookId))).isZero();
    }

    private JsonNode create(String credential, String url, List<String> eventTypes, String description) {
        ApiClient.Response created = api.postJson("/v1/webhooks", credential, description == null
                ? Json.object("url", url, "eventTypes", eventTypes)
                : Json.object("url", url, "eventTypes", eventTypes, "description", description));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json();
    }

    private JsonNode delivery(String credential, String webhookId, String deliveryId) {
        for (JsonNode delivery : ok(api.get("/v1/webhooks/" + webhookId + "/deliveries", credential))
                .get("deliveries")) {
            if (delivery.get("deliveryId").asText().equals(deliveryId)) {
                return delivery;
            }
        }
        throw new AssertionError("no delivery " + deliveryId + " in the log of webhook " + webhookId);
    }

    private static JsonNode ok(ApiClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    /**
     * How a receiver verifies a delivery, as docs/webhooks.md shows it: with the reference implementation of
     * Standard Webhooks, here for a request received just now.
     */
    private static boolean verify(String secret, Received request) throws Exception {
        try {
            new Webhook(secret).verify(request.body(), request.headers());
        } catch (WebhookVerificationException e) {
            return false;
        }
        assertThat(verifyDeprecated(secret, request)).as("the deprecated v1= signature verifies too").isTrue();
        return true;
    }

    /** The deprecated check receivers written for the earlier scheme make; it keeps working for a release. */
    private static boolean verifyDeprecated(String secret, Received request) throws GeneralSecurityException {
        String id = request.header("webhook-id");
        String timestamp = request.header("webhook-timestamp");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal((id + "." + timestamp + "." + request.body()).getBytes(StandardCharsets.UTF_8));
        for (String signature : request.header("webhook-signature").split(" ")) {
            if (signature.startsWith("v1=")
                    && MessageDigest.isEqual(expected, Base64.getDecoder().decode(signature.substring(3)))) {
                return true;
            }
        }
        return false;
    }

    record Received(String path, Map<String, List<String>> headers, String body) {

        String header(String name) {
            return headers.entrySet().stream().filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .map(entry -> entry.getValue().getFirst()).findFirst().orElse(null);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String type() {
            return json().get("type").asText();
        }
    }

    /** An endpoint on loopback that records every request and answers as each test scripts it (200 otherwise). */
    private static final class Receiver implements AutoCloseable {

        private final HttpServer server;
        private final List<Received> received = new CopyOnWriteArrayList<>();
        private final Map<String, List<Integer>> scripted = new ConcurrentHashMap<>();
        private final Map<String, Integer> always = new ConcurrentHashMap<>();
        private final Map<String, CountDownLatch> held = new ConcurrentHashMap<>();

        Receiver() {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", this::handle);
            server.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + path;
        }

        /** The next requests to {@code path} get these statuses, in order. */
        void answer(String path, Integer... statuses) {
            scripted.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).addAll(List.of(statuses));
        }

        void answerAlways(String path, int status) {
            always.put(path, status);
        }

        /** The next request to {@code path} that is not answered by a script waits for {@code release}. */
        void holdNextUntil(String path, CountDownLatch release) {
            held.put(path, release);
        }

        List<Received> received(String path) {
            return received.stream().filter(request -> request.path().equals(path)).toList();
        }

        Received awaitRequest(String path, Predicate<Received> matching) {
            List<Received> found = new ArrayList<>();
            await().atMost(DELIVERY_TIMEOUT).until(() -> {
                received(path).stream().filter(matching).findFirst().ifPresent(found::add);
                return !found.isEmpty();
            });
            return found.getFirst();
        }

        private void handle(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            received.add(new Received(path, Map.copyOf(exchange.getRequestHeaders()),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            List<Integer> script = scripted.getOrDefault(path, List.of());
            int status;
            if (!script.isEmpty()) {
                status = script.removeFirst();
            } else {
                CountDownLatch release = held.remove(path);
                if (release != null) {
                    try {
                        release.await(8, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                status = always.getOrDefault(path, 200);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
