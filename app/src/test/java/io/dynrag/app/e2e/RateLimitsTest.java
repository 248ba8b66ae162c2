package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.app.roles.RunningRoles;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.dynrag.app.e2e.TestSystem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Rate limits over HTTP: one limit per customer (and per API key) however many API instances share
 * the database, the RateLimit headers on every customer answer, 429 with Retry-After past the limit,
 * and {@code GET /v1/rate-limits}. The limits per day equal those per minute, so the day binds and
 * a minute that turns during a test changes no count.
 */
@Tag("e2e")
class RateLimitsTest {

    private static final int LIMIT = 24;
    private static final int CLIENTS = 8;
    private static final int REQUESTS_PER_CLIENT = 6;

    private final TestSystem system = TestSystem.shared();
    private final ApiClient api = system.api();

    @Test
    void twoInstancesTogetherAdmitExactlyTheCustomersLimit() throws Exception {
        awayFromMidnight();
        TestSystem.Account account = system.signUp("Rate Limited");
        String key = system.createApiKey(account.accessToken(), "read").secret();
        ApiClient.Response configured = api.putJson("/v1/customer/config", account.accessToken(),
                Json.object("requestsPerMinute", LIMIT, "requestsPerDay", LIMIT));
        assertThat(configured.status()).as(configured.body()).isEqualTo(200);

        try (RunningRoles second = system.startAnotherApi()) {
            ApiClient other = new ApiClient(second.httpPort());
            ApiClient.Response normal = other.get("/v1/customer/config", key);
            assertThat(normal.status()).as(normal.body()).isEqualTo(200);
            assertThat(normal.header("RateLimit-Limit")).contains(Integer.toString(LIMIT));
            assertThat(normal.header("RateLimit-Remaining")).contains(Integer.toString(LIMIT - 3));
            assertThat(secondsUntilMidnight()).isCloseTo(seconds(normal, "RateLimit-Reset"),
                    within(5L));
            assertThat(normal.header("Retry-After")).isEmpty();
            JsonNode before = api.get("/v1/rate-limits", account.accessToken()).json();
            int usedBefore = before.get("customer").get("day").get("used").asInt();
            assertThat(usedBefore).as("creating the key, configuring, reading the configuration").isEqualTo(3);

            List<ApiClient.Response> withKey = new ArrayList<>();
            List<ApiClient.Response> all = burst(List.of(api, other), key, account.accessToken(), withKey);

            long admitted = all.stream().filter(response -> response.status() == 200).count();
            long admittedWithKey = withKey.stream().filter(response -> response.status() == 200).count();
            assertThat(admitted).isEqualTo(LIMIT - usedBefore);
            assertThat(all).hasSize(CLIENTS * REQUESTS_PER_CLIENT);
            for (ApiClient.Response response : all) {
                assertThat(response.header("RateLimit-Limit")).as(response.body()).contains(Integer.toString(LIMIT));
                assertThat(response.header("RateLimit-Remaining")).isPresent();
                assertThat(seconds(response, "RateLimit-Reset")).isPositive();
                if (response.status() != 200) {
                    assertProblem(response, 429);
                    assertThat(response.header("RateLimit-Remaining")).contains("0");
                    assertThat(seconds(response, "Retry-After")).isEqualTo(seconds(response, "RateLimit-Reset"));
                    assertThat(response.json().get("detail").asText()).contains("the customer's " + LIMIT
                            + " requests per day");
                }
            }

            for (ApiClient instance : List.of(api, other)) {
                ApiClient.Response shown = instance.get("/v1/rate-limits", key);
                assertThat(shown.status()).as("looking is never refused: " + shown.body()).isEqualTo(200);
                assertThat(shown.header("RateLimit-Remaining")).contains("0");
                JsonNode customerDay = shown.json().get("customer").get("day");
                assertThat(customerDay.get("limit").asInt()).isEqualTo(LIMIT);
                assertThat(customerDay.get("used").asInt()).isEqualTo(LIMIT);
                assertThat(customerDay.get("remaining").asInt()).isZero();
                assertThat(Instant.parse(customerDay.get("resetAt").asText()))
                        .isEqualTo(Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1)));
                assertThat(shown.json().get("customer").get("customerId").asText()).isEqualTo(account.customerId());
                JsonNode keyDay = shown.json().get("key").get("day");
                assertThat(keyDay.get("used").asInt()).as("its first request and its share of the burst")
                        .isEqualTo(1 + admittedWithKey);
                assertThat(keyDay.get("limit").asInt()).as("the customer's number").isEqualTo(LIMIT);
            }
            assertThat(other.get("/v1/rate-limits", account.accessToken()).json().get("key").isNull()).isTrue();
        }
    }

    @Test
    void aKeyHeldBelowItsCustomerIsRefusedAloneAndARefusedRequestChangesNothing() {
        awayFromMidnight();
        TestSystem.Account account = system.signUp("Slow Key");
        ApiClient.Response created = api.postJson("/v1/api-keys", account.accessToken(), Json.object(
                "name", "slow", "scopes", List.of("read", "ingest"), "requestsPerMinute", 2, "requestsPerDay", 2));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("requestsPerMinute").asInt()).isEqualTo(2);
        String key = created.json().get("apiKey").asText();

        assertThat(api.get("/v1/customer/config", key).status()).isEqualTo(200);
        ApiClient.Response last = api.get("/v1/customer/config", key);
        assertThat(last.header("RateLimit-Limit")).contains("2");
        assertThat(last.header("RateLimit-Remaining")).contains("0");
        ApiClient.Response refused = api.upload(key, "file", "notes.md",
                "# Notes\n\nRefused before it is read.\n".getBytes(StandardCharsets.UTF_8), "Notes");
        ApiClient.Response user = api.get("/v1/customer/config", account.accessToken());

        assertProblem(refused, 429);
        assertThat(refused.json().get("detail").asText()).contains("this API key's 2 requests per");
        assertThat(seconds(refused, "Retry-After")).isPositive();
        assertThat(system.database().count("SELECT count(*) FROM command.document_state WHERE customer_id = ?",
                account.customerId())).isZero();
        assertThat(system.objectKeys("tenants/" + account.customerId() + "/")).isEmpty();
        assertThat(user.status()).as("the customer's other callers go on").isEqualTo(200);
        JsonNode shown = api.get("/v1/rate-limits", key).json();
        assertThat(shown.get("key").get("minute").get("limit").asInt()).isEqualTo(2);
        assertThat(shown.get("key").get("day").get("used").asInt()).isEqualTo(2);
        assertThat(shown.get("customer").get("day").get("used").asInt())
                .as("creating the key, two key requests, one user request; not the refused upload").isEqualTo(4);
        JsonNode listed = api.get("/v1/api-keys", account.accessToken()).json().get("keys").get(0);
        assertThat(listed.get("requestsPerDay").asInt()).isEqualTo(2);

        for (Map.Entry<String, Integer> invalid : Map.of("requestsPerMinute", 0, "requestsPerDay", -1).entrySet()) {
            assertProblem(api.outsideContract().postJson("/v1/api-keys", account.accessToken(),
                    Json.object("name", "bad", invalid.getKey(), invalid.getValue())), 400);
        }
        assertProblem(api.postJson("/v1/api-keys", account.accessToken(),
                Json.object("name", "bad", "requestsPerMinute", 10, "requestsPerDay", 5)), 400);
    }

    @Test
    void adminsAreNotLimitedAndHaveNoRateLimitsToShow() {
        ApiClient.Response admin = api.get("/v1/admin/customers?limit=1", TestSystem.OPERATOR_TOKEN);

        assertThat(admin.status()).as(admin.body()).isEqualTo(200);
        assertThat(admin.header("RateLimit-Limit")).isEmpty();
        assertProblem(api.get("/v1/rate-limits", TestSystem.OPERATOR_TOKEN), 403);
        assertProblem(api.get("/v1/rate-limits", null), 401);
    }

    /** Half of the clients on each instance, half of them with the key and half with the access token. */
    private static List<ApiClient.Response> burst(List<ApiClient> instances, String key, String accessToken,
                                                  List<ApiClient.Response> withKey) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<ApiClient.Response>>> clients = new ArrayList<>();
        List<Boolean> usesKey = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(CLIENTS)) {
            for (int c = 0; c < CLIENTS; c++) {
                ApiClient instance = instances.get(c % 2);
                String credential = c % 4 < 2 ? key : accessToken;
                usesKey.add(credential.equals(key));
                clients.add(threads.submit(() -> {
                    start.await();
                    List<ApiClient.Response> responses = new ArrayList<>();
                    for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                        responses.add(instance.get("/v1/customer/config", credential));
                    }
                    return responses;
                }));
            }
            start.countDown();
            List<ApiClient.Response> all = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                List<ApiClient.Response> responses = clients.get(c).get();
                all.addAll(responses);
                if (usesKey.get(c)) {
                    withKey.addAll(responses);
                }
            }
            return all;
        }
    }

    private static long seconds(ApiClient.Response response, String header) {
        return Long.parseLong(response.header(header).orElseThrow(() -> new AssertionError(
                "no " + header + " on " + response.status() + " " + response.body())));
    }

    private static long secondsUntilMidnight() {
        Instant now = Instant.now();
        return Duration.between(now, now.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1))).toSeconds();
    }

    /** The daily window would start again at midnight UTC, in the middle of a test. */
    private static void awayFromMidnight() {
        long left = secondsUntilMidnight();
        if (left < 90) {
            try {
                Thread.sleep(Duration.ofSeconds(left + 2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
