package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.dynrag.app.e2e.TestSystem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Operator ceilings: a customer may set its costly values (request rates, documents, file size) only up
 * to its ceilings, the operator's where set, else the running defaults; only an admin reads and sets
 * them; lowering one limits what applies at once; the customer's own events hold them.
 *
 * <p>The shared system's default ceilings: 1,000,000 requests a minute and 1,000,000,000 a day (raised
 * with the defaults so tests are not throttled), 10,000 documents, and files of 200,000 bytes (its
 * {@code DYNRAG_MAX_UPLOAD_BYTES}).
 */
@Tag("e2e")
class CustomerCeilingsTest {

    private static final String COUNT_EVENTS =
            "SELECT count(*) FROM command.domain_event_entry WHERE aggregate_identifier = ?";

    private final TestSystem system = TestSystem.shared();
    private final ApiClient api = system.api();

    @Test
    void aCustomerCannotRaiseAValueAboveItsCeilingAndTheRefusalNamesItAndChangesNothing() {
        TestSystem.Account account = system.signUp("Ambitious Tenant");
        Database database = system.database();
        JsonNode before = api.get("/v1/customer/config", account.accessToken()).json();
        assertThat(before.get("ceilings").get("maxDocuments").asLong()).isEqualTo(10_000);
        assertThat(before.get("ceilings").get("maxFileBytes").asLong()).isEqualTo(200_000);
        long events = database.count(COUNT_EVENTS, account.customerId());

        Map<String, String> aboveTheCeiling = Map.of(
                "maxDocuments", Json.object("maxDocuments", 10_001),
                "maxFileBytes", Json.object("maxFileBytes", 10_000_000, "chunkTokens", 100));
        for (Map.Entry<String, String> above : aboveTheCeiling.entrySet()) {
            ApiClient.Response refused = api.putJson("/v1/customer/config", account.accessToken(), above.getValue());
            assertProblem(refused, 422);
            assertThat(refused.json().get("detail").asText()).contains(above.getKey())
                    .contains(before.get("ceilings").get(above.getKey()).asText());
        }
        setCeilings(account.customerId(), Json.object("requestsPerMinute", 100, "requestsPerDay", 5_000));
        events++;
        ApiClient.Response tooFast = api.putJson("/v1/customer/config", account.accessToken(),
                Json.object("requestsPerMinute", 101, "requestsPerDay", 1_000));
        assertProblem(tooFast, 422);
        assertThat(tooFast.json().get("detail").asText()).contains("requestsPerMinute", "at most 100");
        ApiClient.Response tooMany = api.putJson("/v1/customer/config", account.accessToken(),
                Json.object("requestsPerMinute", 50, "requestsPerDay", 5_001));
        assertProblem(tooMany, 422);
        assertThat(tooMany.json().get("detail").asText()).contains("requestsPerDay", "at most 5000");

        assertThat(database.count(COUNT_EVENTS, account.customerId())).as("refusals change nothing").isEqualTo(events);
        JsonNode after = api.get("/v1/customer/config", account.accessToken()).json();
        assertThat(after.get("configuration").get("maxDocuments")).isEqualTo(before.get("configuration")
                .get("maxDocuments"));
        assertThat(after.get("configuration").get("chunkTokens")).isEqualTo(before.get("configuration")
                .get("chunkTokens"));
        ApiClient.Response atTheCeiling = api.putJson("/v1/customer/config", account.accessToken(),
                Json.object("requestsPerMinute", 100, "requestsPerDay", 5_000, "maxDocuments", 10_000));
        assertThat(atTheCeiling.status()).as(atTheCeiling.body()).isEqualTo(200);
    }

    @Test
    void theAdminReadsAndSetsCeilingsPartiallyAndNullReturnsOneToTheDefault() {
        TestSystem.Account account = system.signUp("Growing Tenant");
        String path = "/v1/admin/customers/" + account.customerId() + "/ceilings";
        String admin = system.adminAccessToken();

        JsonNode initial = ok(api.get(path, admin));
        assertThat(initial.get("customerId").asText()).isEqualTo(account.customerId());
        assertThat(fieldNames(initial.get("ceilings")))
                .containsExactly("requestsPerMinute", "requestsPerDay", "maxDocuments", "maxFileBytes");
        JsonNode documents = initial.get("ceilings").get("maxDocuments");
        assertThat(documents.get("ceiling").asLong()).isEqualTo(10_000);
        assertThat(documents.get("source").asText()).isEqualTo("default");
        assertThat(documents.get("configured").asLong()).isEqualTo(10_000);
        assertThat(documents.get("effective").asLong()).isEqualTo(10_000);

        JsonNode raised = ok(api.putJson(path, TestSystem.OPERATOR_TOKEN, Json.object("maxDocuments", 20_000)));
        assertThat(raised.get("ceilings").get("maxDocuments").get("ceiling").asLong()).isEqualTo(20_000);
        assertThat(raised.get("ceilings").get("maxDocuments").get("source").asText()).isEqualTo("operator");
        assertThat(raised.get("ceilings").get("requestsPerMinute")).as("left out, left alone")
                .isEqualTo(initial.get("ceilings").get("requestsPerMinute"));
        assertThat(ok(api.get(path, admin))).isEqualTo(raised);
        JsonNode customers = ok(api.putJson("/v1/customer/config", account.accessToken(),
                Json.object("maxDocuments", 20_000)));
        assertThat(customers.get("configuration").get("maxDocuments").asInt()).isEqualTo(20_000);
        assertThat(customers.get("ceilings").get("maxDocuments").asInt()).isEqualTo(20_000);

        JsonNode reset = ok(api.putJson(path, admin, Json.object("maxDocuments", null, "maxFileBytes", 1_000)));

        JsonNode resetDocuments = reset.get("ceilings").get("maxDocuments");
        assertThat(resetDocuments.get("source").asText()).isEqualTo("default");
        assertThat(resetDocuments.get("ceiling").asLong()).isEqualTo(10_000);
        assertThat(resetDocuments.get("configured").asLong()).as("the customer's choice is kept").isEqualTo(20_000);
        assertThat(resetDocuments.get("effective").asLong()).isEqualTo(10_000);
        assertThat(reset.get("ceilings").get("maxFileBytes").get("effective").asLong()).isEqualTo(1_000);
        JsonNode shown = api.get("/v1/customer/config", account.accessToken()).json();
        assertThat(shown.get("configuration").get("maxDocuments").asInt()).as("what applies").isEqualTo(10_000);
        assertThat(shown.get("configuration").get("maxFileBytes").asInt()).isEqualTo(1_000);
        assertThat(shown.get("ceilings").get("maxFileBytes").asInt()).isEqualTo(1_000);
        ApiClient.Response unrelated = api.putJson("/v1/customer/config", account.accessToken(),
                Json.object("chunkOverlapTokens", 5));
        assertThat(unrelated.status()).as("a value kept above a lowered ceiling blocks no other change")
                .isEqualTo(200);
    }

    @Test
    void aLoweredCeilingAppliesToTheNextRequestUploadAndApiKey() {
        TestSystem.Account account = system.signUp("Capped Tenant");
        String path = "/v1/admin/customers/" + account.customerId() + "/ceilings";
        assertThat(api.putJson("/v1/customer/config", account.accessToken(), Json.object("maxDocuments", 3))
                .status()).isEqualTo(200);
        assertThat(upload(account.accessToken(), "one.txt", "The first note.").status()).isEqualTo(202);

        ok(api.putJson(path, TestSystem.OPERATOR_TOKEN, Json.object("requestsPerMinute", 50, "requestsPerDay", 1_000,
                "maxDocuments", 1, "maxFileBytes", 20)));

        ApiClient.Response second = upload(account.accessToken(), "two.txt", "second");
        assertProblem(second, 403);
        assertThat(second.json().get("detail").asText()).contains("1 documents");
        assertThat(second.header("RateLimit-Limit")).as("the minute's ceiling, the tightest window").contains("50");
        JsonNode limits = api.get("/v1/rate-limits", account.accessToken()).json().get("customer");
        assertThat(limits.get("minute").get("limit").asInt()).isEqualTo(50);
        assertThat(limits.get("day").get("limit").asInt()).isEqualTo(1_000);
        ok(api.putJson(path, TestSystem.OPERATOR_TOKEN, Json.object("maxDocuments", null)));
        assertProblem(upload(account.accessToken(), "big.txt", "x".repeat(21)), 413);
        assertThat(upload(account.accessToken(), "small.txt", "x".repeat(20)).status()).isEqualTo(202);

        ApiClient.Response greedyKey = api.postJson("/v1/api-keys", account.accessToken(),
                Json.object("name", "greedy", "requestsPerMinute", 51));
        assertProblem(greedyKey, 422);
        assertThat(greedyKey.json().get("detail").asText()).contains("requestsPerMinute", "50");
        assertProblem(api.postJson("/v1/api-keys", account.accessToken(),
                Json.object("name", "greedy", "requestsPerDay", 1_001)), 422);
        ApiClient.Response modestKey = api.postJson("/v1/api-keys", account.accessToken(),
                Json.object("name", "modest", "requestsPerMinute", 50, "requestsPerDay", 1_000));
        assertThat(modestKey.status()).as(modestKey.body()).isEqualTo(201);
        assertThat(system.objectKeys("tenants/" + account.customerId() + "/")).hasSize(2);
    }

    @Test
    void onlyAdminsReachTheCeilingsAndBadInputIsRefusedNamingTheField() {
        TestSystem.Account account = system.signUp("Probing Tenant");
        TestSystem.IssuedKey key = system.createApiKey(account.accessToken(), "ingest", "search", "read", "admin");
        Database database = system.database();
        String path = "/v1/admin/customers/" + account.customerId() + "/ceilings";
        String admin = system.adminAccessToken();
        JsonNode before = ok(api.get(path, admin));
        long events = database.count(COUNT_EVENTS, account.customerId());

        for (Map<String, String> credential : List.of(ApiClient.bearer(account.accessToken()),
                ApiClient.bearer(key.secret()), ApiClient.apiKeyHeader(key.secret()))) {
            assertProblem(api.send("GET", path, credential, null), 403);
            assertProblem(api.send("PUT", path, credential, Json.object("requestsPerMinute", 1_000_000)), 403);
        }
        assertProblem(api.send("PUT", path, Map.of(), Json.object("maxDocuments", 5)), 401);
        assertProblem(api.get("/v1/admin/customers/" + UUID.randomUUID() + "/ceilings", admin), 404);
        assertProblem(api.putJson("/v1/admin/customers/not-a-customer/ceilings", admin,
                Json.object("maxDocuments", 5)), 404);

        List<Map.Entry<String, String>> invalid = List.of(
                Map.entry("requestsPerMinute", Json.object("requestsPerMinute", 0)),
                Map.entry("requestsPerMinute", Json.object("requestsPerMinute", 99_999_999_999_999L)),
                Map.entry("requestsPerDay", Json.object("requestsPerDay", 1_000_000_001)),
                Map.entry("maxDocuments", Json.object("maxDocuments", "many")),
                Map.entry("maxDocuments", Json.object("maxDocuments", -1)),
                Map.entry("maxFileBytes", Json.object("maxFileBytes", 1.5)),
                Map.entry("DYNRAG_MAX_UPLOAD_BYTES", Json.object("maxFileBytes", 200_001)),
                Map.entry("colour", Json.object("colour", "blue")));
        for (Map.Entry<String, String> bad : invalid) {
            ApiClient.Response refused = api.outsideContract().putJson(path, admin, bad.getValue());
            assertProblem(refused, 400);
            assertThat(refused.json().get("detail").asText()).as(bad.getValue()).contains(bad.getKey());
        }
        assertProblem(api.outsideContract().putJson(path, admin, "null"), 400);
        assertProblem(api.outsideContract().putJson(path, admin, "[]"), 400);
        assertProblem(api.outsideContract().putJson(path, admin, "{\"maxDocuments\": "), 400);

        assertThat(ok(api.get(path, admin))).isEqualTo(before);
        assertThat(database.count(COUNT_EVENTS, account.customerId())).isEqualTo(events);
    }

    /**
     * The rule reads the ceilings from the customer's own events, as the aggregate rebuilds them on every
     * command: even with the command side's table wiped of them, a raise beyond the ceiling is refused.
     */
    @Test
    void theCeilingsAreRebuiltFromTheCustomersEvents() {
        TestSystem.Account account = system.signUp("Replayed Tenant");
        setCeilings(account.customerId(), Json.object("maxDocuments", 5));
        Database database = system.database();
        database.execute("UPDATE command.customer_account SET ceilings = NULL WHERE customer_id = ?",
                account.customerId());

        ApiClient.Response refused = api.putJson("/v1/customer/config", account.accessToken(),
                Json.object("maxDocuments", 6));

        assertProblem(refused, 422);
        assertThat(refused.json().get("detail").asText()).contains("maxDocuments", "at most 5");
    }

    private void setCeilings(String customerId, String json) {
        ok(api.putJson("/v1/admin/customers/" + customerId + "/ceilings", system.adminAccessToken(), json));
    }

    private ApiClient.Response upload(String credential, String filename, String text) {
        return api.upload(credential, "file", filename, text.getBytes(StandardCharsets.UTF_8), null);
    }

    private static JsonNode ok(ApiClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
