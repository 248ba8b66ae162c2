package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code Idempotency-Key} on POSTs: a retry creates nothing twice and gets the first answer back, except the
 * secrets in it, which are never kept; the sign-in routes take no key.
 */
@Tag("e2e")
class IdempotencyKeysTest {

    private static final String UPLOADED_EVENTS = """
            SELECT count(*) FROM command.domain_event_entry
             WHERE aggregate_identifier = ? AND payload_type LIKE '%DocumentVersionUploaded'""";

    private static final String CRAWLER_KEY = Json.object("name", "crawler", "scopes", List.of("ingest"));

    private TestSystem system;
    private ApiClient api;

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
        api = system.api();
    }

    @Test
    void aRetriedUploadIsReplayedAndStoresOneDocument() {
        String[] customer = system.registerCustomerWithId("Idempotent Uploads");
        String key = UUID.randomUUID().toString();
        byte[] content = "# Tides\n\nThe moon pulls the ocean, raising tides twice a day.\n".getBytes(StandardCharsets.UTF_8);

        // Each upload is built afresh, with a new multipart boundary, as a client's retry would be.
        ApiClient.Response first = upload(customer[1], key, content, "Tides");
        ApiClient.Response retry = upload(customer[1], key, content, "Tides");

        assertThat(first.status()).as(first.body()).isEqualTo(202);
        assertThat(first.header("Idempotent-Replayed")).isEmpty();
        assertThat(retry.status()).as(retry.body()).isEqualTo(202);
        assertThat(retry.header("Idempotent-Replayed")).contains("true");
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.contentType()).isEqualTo(first.contentType());
        assertThat(retry.header("X-Correlation-Id")).isNotEqualTo(first.header("X-Correlation-Id"));
        String documentId = first.json().get("documentId").asText();

        assertThat(system.database().count(UPLOADED_EVENTS, documentId)).isEqualTo(1);
        assertThat(system.database().count("SELECT count(*) FROM command.document_state WHERE customer_id = ?",
                customer[0])).isEqualTo(1);
        assertThat(system.objectKeys("tenants/" + customer[0] + "/")).hasSize(1);

        ApiClient.Response otherTitle = upload(customer[1], key, content, "Another title");
        TestSystem.assertProblem(otherTitle, 422);
        assertThat(system.database().count("SELECT count(*) FROM command.document_state WHERE customer_id = ?",
                customer[0])).isEqualTo(1);
    }

    @Test
    void aRetriedBatchTakesItsDocumentsInOnce() {
        String[] customer = system.registerCustomerWithId("Idempotent Batches");
        String key = UUID.randomUUID().toString();
        byte[] content = "A batch retried after a lost answer.\n".getBytes(StandardCharsets.UTF_8);

        ApiClient.Response first = api.uploadTo("/v1/documents/batch", headers(customer[1], key), "file",
                "batch.txt", content, null);
        ApiClient.Response retry = api.uploadTo("/v1/documents/batch", headers(customer[1], key), "file",
                "batch.txt", content, null);

        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(retry.header("Idempotent-Replayed")).contains("true");
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(system.database().count("SELECT count(*) FROM command.document_state WHERE customer_id = ?",
                customer[0])).isEqualTo(1);
    }

    @Test
    void anAdminsRetryRegistersOneCustomer() {
        String key = UUID.randomUUID().toString();
        String body = Json.object("name", "Registered Once " + key);
        String admin = system.adminAccessToken();

        ApiClient.Response first = post("/v1/admin/customers", admin, key, body);
        ApiClient.Response retry = post("/v1/admin/customers", admin, key, body);

        assertThat(first.status()).as(first.body()).isEqualTo(201);
        assertThat(retry.status()).as(retry.body()).isEqualTo(201);
        assertThat(retry.header("Idempotent-Replayed")).contains("true");
        assertThat(retry.json().get("customerId").asText()).isEqualTo(first.json().get("customerId").asText());
        assertThat(retry.json().get("apiKey").isNull()).as("the key was shown once: " + retry.body()).isTrue();
        assertThat(api.get("/v1/api-keys", first.json().get("apiKey").asText()).status())
                .as("and still works").isEqualTo(200);
        assertThat(system.database().count("""
                SELECT count(*) FROM command.domain_event_entry
                 WHERE payload_type LIKE '%CustomerRegistered' AND aggregate_identifier = ?""",
                first.json().get("customerId").asText())).isEqualTo(1);
    }

    @Test
    void aRetriedKeyCreationAnswersForTheSameKeyWithoutItsSecretAndKeepsNone() {
        String customerKey = system.registerCustomer("Idempotent Keys");
        String key = "create-crawler-key-" + UUID.randomUUID();

        ApiClient.Response first = createCrawlerKey(customerKey, key);
        ApiClient.Response retry = createCrawlerKey(customerKey, key);

        assertThat(first.status()).as(first.body()).isEqualTo(201);
        String secret = first.json().get("apiKey").asText();
        assertThat(secret).startsWith("drk_");
        assertThat(retry.status()).as(retry.body()).isEqualTo(201);
        assertThat(retry.header("Idempotent-Replayed")).contains("true");
        assertThat(retry.body()).doesNotContain(secret);
        ObjectNode firstWithoutSecret = ((ObjectNode) first.json()).putNull("apiKey");
        assertThat(retry.json()).as("the same answer with the secret left out").isEqualTo(firstWithoutSecret);
        assertThat(retry.header("RateLimit-Remaining")).as("a replay is still a counted request").isPresent();
        assertThat(crawlerKeys(customerKey)).isEqualTo(1);
        assertThat(api.get("/v1/rate-limits", secret).status()).as("the first secret still works").isEqualTo(200);

        Object stored = system.database().rows(
                "SELECT response FROM command.idempotency_record WHERE idempotency_key = ?", key)
                .getFirst().get("response");
        assertThat(new String((byte[]) stored, StandardCharsets.ISO_8859_1)).as("the kept answer is sealed")
                .doesNotContain(first.json().get("keyId").asText());
        assertThat(system.keptAnswers(key)).singleElement().asString()
                .contains(first.json().get("keyId").asText()).doesNotContain(secret);
    }

    @Test
    void noReplayShowsASecretAndNoKeptAnswerHoldsOne() {
        String[] customer = system.registerCustomerWithId("Secretive Retries");
        String credential = customer[1];
        Map<String, String> issued = new LinkedHashMap<>();

        String adminKey = UUID.randomUUID().toString();
        String newCustomer = Json.object("name", "Kept Without Its Key " + adminKey);
        String admin = system.adminAccessToken();
        issued.put(adminKey, sentTwiceShowingItsSecretOnce(() -> post("/v1/admin/customers", admin, adminKey,
                newCustomer), 201, "apiKey", "customerId"));

        String apiKeyKey = UUID.randomUUID().toString();
        issued.put(apiKeyKey, sentTwiceShowingItsSecretOnce(() -> createCrawlerKey(credential, apiKeyKey), 201,
                "apiKey", "keyId"));

        String webhookKey = UUID.randomUUID().toString();
        String webhook = Json.object("url", "http://127.0.0.1:9/hooks", "eventTypes", List.of("document.failed"));
        String webhookSecret = sentTwiceShowingItsSecretOnce(() -> post("/v1/webhooks", credential, webhookKey,
                webhook), 201, "secret", "webhookId");
        issued.put(webhookKey, webhookSecret);
        String webhookId = api.get("/v1/webhooks", credential).json().get("webhooks").get(0).get("webhookId").asText();

        String rotationKey = UUID.randomUUID().toString();
        String rotated = sentTwiceShowingItsSecretOnce(() -> post("/v1/webhooks/" + webhookId + "/rotate-secret",
                credential, rotationKey, ""), 200, "secret", "webhookId");
        assertThat(rotated).isNotEqualTo(webhookSecret);
        issued.put(rotationKey, rotated);

        issued.forEach((idempotencyKey, secret) -> {
            List<String> kept = system.keptAnswers(idempotencyKey);
            assertThat(kept).as("the answer kept under " + idempotencyKey).hasSize(1);
            for (String other : issued.values()) {
                assertThat(kept.getFirst()).doesNotContain(other);
            }
        });
    }

    @Test
    void anAnswerThatShowsSomethingShapedLikeASecretIsNotKeptSoItsRetryRunsAgain() {
        String customerKey = system.registerCustomer("Quoted Secrets");
        String quoted = "drk_" + "Q".repeat(43);
        String documentId = system.uploadDocument(customerKey, "rotation.md",
                "# Key rotation\n\nThe old key " + quoted + " was retired in spring.\n");
        system.awaitStatus(customerKey, documentId, "INDEXED");
        String key = UUID.randomUUID().toString();
        String query = Json.object("query", "which key was retired", "documentId", documentId);

        ApiClient.Response first = post("/v1/search", customerKey, key, query);
        ApiClient.Response retry = post("/v1/search", customerKey, key, query);

        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.body()).contains(quoted);
        assertThat(retry.status()).as(retry.body()).isEqualTo(200);
        assertThat(retry.header("Idempotent-Replayed")).as("ran again rather than replayed").isEmpty();
        assertThat(system.keptAnswers(key)).isEmpty();
    }

    @Test
    void theSignInRoutesTakeNoKeyAndKeepNothing() {
        TestSystem.Account account = system.signUp("Keyless Sign-Ins");
        ApiClient client = system.apiFromNewAddress();
        String key = UUID.randomUUID().toString();
        String credentials = Json.object("email", account.email(), "password", TestSystem.PASSWORD);

        ApiClient.Response first = client.send("POST", "/v1/auth/login", headers(null, key), credentials);
        ApiClient.Response second = client.send("POST", "/v1/auth/login", headers(null, key), credentials);
        ApiClient.Response signup = client.send("POST", "/v1/auth/signup", headers(null, key),
                Json.object("email", TestSystem.uniqueEmail("keyless"), "password", TestSystem.PASSWORD,
                        "company", "Keyless"));
        ApiClient.Response malformedKey = client.send("POST", "/v1/auth/logout", headers(null, "two words"),
                Json.object("refreshToken", first.json().get("refreshToken").asText()));

        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(second.status()).as(second.body()).isEqualTo(200);
        assertThat(second.header("Idempotent-Replayed")).as("a sign-in that ran again").isEmpty();
        assertThat(second.json().get("refreshToken").asText()).isNotEqualTo(first.json().get("refreshToken").asText());
        assertThat(signup.status()).as(signup.body()).isEqualTo(202);
        assertThat(malformedKey.status()).as("the header is not even read: " + malformedKey.body()).isEqualTo(204);
        assertThat(system.database().count("SELECT count(*) FROM command.idempotency_record WHERE idempotency_key = ?",
                key)).isZero();
    }

    @Test
    void aKeyReusedForAnotherRequestIsRefusedAndChangesNothing() {
        String customerKey = system.registerCustomer("Key Reusers");
        String key = UUID.randomUUID().toString();
        assertThat(createCrawlerKey(customerKey, key).status()).isEqualTo(201);

        ApiClient.Response otherBody = post("/v1/api-keys", customerKey, key,
                Json.object("name", "crawler", "scopes", List.of("search")));
        TestSystem.assertProblem(otherBody, 422);
        assertThat(otherBody.json().get("detail").asText()).contains("different request");

        ApiClient.Response otherPath = post("/v1/search", customerKey, key, Json.object("query", "tides"));
        TestSystem.assertProblem(otherPath, 422);

        String secondCredential = system.createApiKey(customerKey, "admin").secret();
        ApiClient.Response otherCredential = createCrawlerKey(secondCredential, key);
        TestSystem.assertProblem(otherCredential, 422);
        assertThat(crawlerKeys(customerKey)).isEqualTo(1);
    }

    @Test
    void malformedKeysAreRefusedBeforeAnythingRuns() {
        String customerKey = system.registerCustomer("Malformed Keys");
        // Empty and non-ASCII keys are refused too (see IdempotencyKeyTest), but this HTTP client cannot send them.
        for (String malformed : List.of("two words", "{\"json\": 1}", "a".repeat(256))) {
            ApiClient.Response refused = createCrawlerKey(customerKey, malformed);
            assertThat(refused.status()).as("'%s' (%d characters)", malformed, malformed.length()).isEqualTo(400);
            TestSystem.assertProblem(refused, 400);
            assertThat(refused.json().get("detail").asText()).contains("Idempotency-Key");
        }
        assertThat(createCrawlerKey(customerKey, "~!".repeat(127) + "z").status()).isEqualTo(201);
        assertThat(crawlerKeys(customerKey)).isEqualTo(1);
    }

    @Test
    void concurrentDuplicatesRunOnce() throws Exception {
        String[] customer = system.registerCustomerWithId("Concurrent Retries");
        String key = UUID.randomUUID().toString();
        byte[] content = "Concurrent retries of one upload store it once.\n".getBytes(StandardCharsets.UTF_8);
        int clients = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<ApiClient.Response>> sent = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            for (int i = 0; i < clients; i++) {
                sent.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return upload(customer[1], key, content, "Concurrent");
                }, pool));
            }
            start.countDown();
        }
        List<ApiClient.Response> responses = sent.stream().map(CompletableFuture::join).toList();

        List<ApiClient.Response> executed = responses.stream()
                .filter(r -> r.status() == 202 && r.header("Idempotent-Replayed").isEmpty()).toList();
        assertThat(executed).as("requests that ran").hasSize(1);
        String documentId = executed.getFirst().json().get("documentId").asText();
        for (ApiClient.Response response : responses) {
            if (response.status() == 409) {
                TestSystem.assertProblem(response, 409);
                assertThat(response.header("Retry-After")).contains("1");
            } else {
                assertThat(response.status()).as(response.body()).isEqualTo(202);
                assertThat(response.json().get("documentId").asText()).isEqualTo(documentId);
            }
        }
        assertThat(system.database().count(UPLOADED_EVENTS, documentId)).isEqualTo(1);
        assertThat(system.database().count("SELECT count(*) FROM command.document_state WHERE customer_id = ?",
                customer[0])).isEqualTo(1);
    }

    @Test
    void keysBelongToTheirCustomer() {
        String first = system.registerCustomer("Key Owner One");
        String second = system.registerCustomer("Key Owner Two");
        String key = "shared-" + UUID.randomUUID();

        ApiClient.Response ofFirst = createCrawlerKey(first, key);
        ApiClient.Response ofSecond = createCrawlerKey(second, key);

        assertThat(ofFirst.status()).as(ofFirst.body()).isEqualTo(201);
        assertThat(ofSecond.status()).as(ofSecond.body()).isEqualTo(201);
        assertThat(ofSecond.header("Idempotent-Replayed")).isEmpty();
        assertThat(ofSecond.json().get("keyId").asText()).isNotEqualTo(ofFirst.json().get("keyId").asText());
        assertThat(crawlerKeys(first)).isEqualTo(1);
        assertThat(crawlerKeys(second)).isEqualTo(1);
    }

    @Test
    void aRequestInProgressAnswers409UntilItsLeaseRunsOutThenARetryRunsAndCreatesNothingTwice() {
        String customerKey = system.registerCustomer("Abandoned Requests");
        String key = UUID.randomUUID().toString();
        ApiClient.Response first = createCrawlerKey(customerKey, key);
        assertThat(first.status()).isEqualTo(201);

        // As if the instance running it had created the key, then not finished yet.
        loseTheAnswer(key);
        ApiClient.Response running = createCrawlerKey(customerKey, key);
        TestSystem.assertProblem(running, 409);
        assertThat(running.header("Retry-After")).contains("1");

        // ... and then had died a while ago, its answer (the only place the secret was shown) lost.
        expireTheLease(key);
        ApiClient.Response takenOver = createCrawlerKey(customerKey, key);
        assertThat(takenOver.status()).as(takenOver.body()).isEqualTo(201);
        assertThat(takenOver.header("Idempotent-Replayed")).isEmpty();
        assertThat(takenOver.json().get("keyId").asText()).as("the same key, not a second one")
                .isEqualTo(first.json().get("keyId").asText());
        assertThat(crawlerKeys(customerKey)).isEqualTo(1);
        String lostSecret = first.json().get("apiKey").asText();
        String newSecret = takenOver.json().get("apiKey").asText();
        assertThat(newSecret).isNotEqualTo(lostSecret);
        assertThat(api.get("/v1/documents/" + UUID.randomUUID(), lostSecret).status()).as("the lost secret").isEqualTo(401);
        assertThat(api.get("/v1/api-keys", newSecret).status()).as("a key with only the ingest scope").isEqualTo(403);

        ApiClient.Response replayed = createCrawlerKey(customerKey, key);
        assertThat(replayed.header("Idempotent-Replayed")).contains("true");
        assertThat(replayed.json()).isEqualTo(((ObjectNode) takenOver.json()).putNull("apiKey"));
    }

    @Test
    void aRetryAfterALostAnswerAnswersForTheCustomerTheFirstAttemptRegistered() {
        String key = UUID.randomUUID().toString();
        String body = Json.object("name", "Registered Before Dying " + key);
        String admin = system.adminAccessToken();
        ApiClient.Response[] answers = sentTwiceWithTheFirstAnswerLost(key, 201,
                () -> post("/v1/admin/customers", admin, key, body));
        ApiClient.Response first = answers[0];
        ApiClient.Response retry = answers[1];

        String customerId = first.json().get("customerId").asText();
        assertThat(retry.json().get("customerId").asText()).isEqualTo(customerId);
        assertThat(system.database().count("""
                SELECT count(*) FROM command.customer_account WHERE customer_id = ?""", customerId)).isEqualTo(1);
        String newKey = retry.json().get("apiKey").asText();
        assertThat(api.get("/v1/api-keys", newKey).json().get("keys")).as("one key, its secret replaced").hasSize(1);
        assertThat(api.get("/v1/api-keys", first.json().get("apiKey").asText()).status()).isEqualTo(401);
    }

    @Test
    void aRetryAfterALostAnswerAnswersForTheWebhookAndTheDocumentsTheFirstAttemptCreated() {
        String customerKey = system.registerCustomer("Lost Answers");
        String webhookKey = UUID.randomUUID().toString();
        String webhook = Json.object("url", "http://127.0.0.1:9/hooks", "eventTypes", List.of("document.indexed"));
        ApiClient.Response[] webhooks = sentTwiceWithTheFirstAnswerLost(webhookKey, 201,
                () -> post("/v1/webhooks", customerKey, webhookKey, webhook));
        ApiClient.Response created = webhooks[0];
        ApiClient.Response again = webhooks[1];
        assertThat(again.json().get("webhookId")).isEqualTo(created.json().get("webhookId"));
        assertThat(again.json().get("secret")).as("the lost secret is replaced").isNotEqualTo(created.json().get("secret"));
        assertThat(api.get("/v1/webhooks", customerKey).json().get("webhooks")).hasSize(1);

        String batchKey = UUID.randomUUID().toString();
        byte[] content = "A batch whose answer was lost.\n".getBytes(StandardCharsets.UTF_8);
        ApiClient.Response[] batches = sentTwiceWithTheFirstAnswerLost(batchKey, 200, () -> api.uploadTo(
                "/v1/documents/batch", headers(customerKey, batchKey), "file", "lost.txt", content, null));
        ApiClient.Response batch = batches[0];
        ApiClient.Response batchAgain = batches[1];
        String documentId = batch.json().get("results").get(0).get("documentId").asText();
        assertThat(batchAgain.json().get("results").get(0).get("documentId").asText()).isEqualTo(documentId);
        assertThat(system.database().count(UPLOADED_EVENTS, documentId)).isEqualTo(1);
    }

    @Test
    void anExpiredKeyRunsAnew() {
        String customerKey = system.registerCustomer("Expired Keys");
        String key = UUID.randomUUID().toString();
        ApiClient.Response first = createCrawlerKey(customerKey, key);
        system.database().execute("""
                UPDATE command.idempotency_record SET expires_at = now() - interval '1 second'
                 WHERE idempotency_key = ?""", key);

        ApiClient.Response again = createCrawlerKey(customerKey, key);

        assertThat(again.status()).as(again.body()).isEqualTo(201);
        assertThat(again.header("Idempotent-Replayed")).isEmpty();
        assertThat(again.json().get("keyId").asText()).isNotEqualTo(first.json().get("keyId").asText());
        assertThat(crawlerKeys(customerKey)).isEqualTo(2);
    }

    @Test
    void aServerErrorIsNotKeptSoTheRetryRuns() throws Exception {
        String customerKey = system.registerCustomer("Flaky Sources");
        AtomicInteger fetches = new AtomicInteger();
        HttpServer flaky = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        flaky.createContext("/notes.txt", exchange -> {
            byte[] body = "Fetched on the second try.\n".getBytes(StandardCharsets.UTF_8);
            boolean down = fetches.incrementAndGet() == 1;
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(down ? 503 : 200, down ? -1 : body.length);
            if (!down) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        flaky.start();
        try {
            String key = UUID.randomUUID().toString();
            String body = Json.object("url", "http://127.0.0.1:" + flaky.getAddress().getPort() + "/notes.txt");

            ApiClient.Response failed = post("/v1/documents", customerKey, key, body);
            assertThat(system.database().count("""
                    SELECT count(*) FROM command.idempotency_record
                     WHERE idempotency_key = ? AND response_status IS NULL AND claimed_at = '-infinity'""", key))
                    .as("released, yet kept with its request id for the retry").isEqualTo(1);
            ApiClient.Response retried = post("/v1/documents", customerKey, key, body);
            ApiClient.Response replayed = post("/v1/documents", customerKey, key, body);

            TestSystem.assertProblem(failed, 502);
            assertThat(retried.status()).as(retried.body()).isEqualTo(202);
            assertThat(retried.header("Idempotent-Replayed")).as("a 5xx is not an outcome to keep").isEmpty();
            assertThat(replayed.header("Idempotent-Replayed")).contains("true");
            assertThat(replayed.body()).isEqualTo(retried.body());
            assertThat(fetches).hasValue(2);
        } finally {
            flaky.stop(0);
        }
    }

    /**
     * Sends a request whose answer shows a secret twice under one key: the retry answers for the same thing
     * ({@code idField}), as a replay, with {@code secretField} null.
     *
     * @return the secret the first answer showed
     */
    private String sentTwiceShowingItsSecretOnce(Supplier<ApiClient.Response> request, int status,
                                                 String secretField, String idField) {
        ApiClient.Response first = request.get();
        ApiClient.Response retry = request.get();
        assertThat(first.status()).as(first.body()).isEqualTo(status);
        assertThat(retry.status()).as(retry.body()).isEqualTo(status);
        String secret = first.json().get(secretField).asText();
        assertThat(secret).hasSizeGreaterThan(40);
        assertThat(retry.header("Idempotent-Replayed")).contains("true");
        assertThat(retry.json().get(idField)).isEqualTo(first.json().get(idField));
        assertThat(retry.json().get(secretField).isNull()).as(retry.body()).isTrue();
        assertThat(retry.body()).doesNotContain(secret);
        return secret;
    }

    /**
     * Sends the request; loses its answer as an instance dying after the work would, long enough ago for the
     * lease to be over; sends it again. Both must answer {@code status}, the second not as a replay.
     */
    private ApiClient.Response[] sentTwiceWithTheFirstAnswerLost(String idempotencyKey, int status,
                                                                 Supplier<ApiClient.Response> request) {
        ApiClient.Response first = request.get();
        assertThat(first.status()).as(first.body()).isEqualTo(status);
        loseTheAnswer(idempotencyKey);
        expireTheLease(idempotencyKey);
        ApiClient.Response retry = request.get();
        assertThat(retry.status()).as(retry.body()).isEqualTo(status);
        assertThat(retry.header("Idempotent-Replayed")).as("the retry ran").isEmpty();
        return new ApiClient.Response[]{first, retry};
    }

    /** As if the instance that ran the request had died after doing its work, before keeping its answer. */
    private void loseTheAnswer(String idempotencyKey) {
        system.database().execute("""
                UPDATE command.idempotency_record SET response_status = NULL, response = NULL
                 WHERE idempotency_key = ?""", idempotencyKey);
    }

    /** As if that happened longer ago than the lease, so a retry may take the request over. */
    private void expireTheLease(String idempotencyKey) {
        system.database().execute("""
                UPDATE command.idempotency_record SET claimed_at = now() - interval '2 minutes'
                 WHERE idempotency_key = ?""", idempotencyKey);
    }

    private ApiClient.Response upload(String credential, String idempotencyKey, byte[] content, String title) {
        return api.uploadTo("/v1/documents", headers(credential, idempotencyKey), "file", "tides.md", content, title);
    }

    private ApiClient.Response createCrawlerKey(String credential, String idempotencyKey) {
        return post("/v1/api-keys", credential, idempotencyKey, CRAWLER_KEY);
    }

    private ApiClient.Response post(String path, String credential, String idempotencyKey, String json) {
        return api.send("POST", path, headers(credential, idempotencyKey), json);
    }

    private static Map<String, String> headers(String credential, String idempotencyKey) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (credential != null) {
            headers.putAll(ApiClient.bearer(credential));
        }
        headers.put("Idempotency-Key", idempotencyKey);
        return headers;
    }

    private long crawlerKeys(String credential) {
        JsonNode keys = api.get("/v1/api-keys", credential).json().get("keys");
        long crawlers = 0;
        for (JsonNode key : keys) {
            crawlers += "crawler".equals(key.get("name").asText()) ? 1 : 0;
        }
        return crawlers;
    }
}
