package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.schemas.Topics;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.dynrag.app.e2e.TestSystem.PASSWORD;
import static io.dynrag.app.e2e.TestSystem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator's side: the bootstrap admin signs in and manages customers; customers cannot;
 * suspension shuts a customer out everywhere until reactivation; deletion removes a customer's
 * data everywhere and crypto-shreds the personal fields of its events, which stay for audit.
 */
@Tag("e2e")
class CustomerAdministrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COUNT_EVENTS =
            "SELECT count(*) FROM command.domain_event_entry WHERE aggregate_identifier = ?";

    private final TestSystem system = TestSystem.shared();
    private final ApiClient api = system.api();

    @Test
    void theBootstrapAdminManagesCustomersWithItsAccessToken() {
        TestSystem.Account account = system.signUp("Listed Lighthouses");
        String admin = system.adminAccessToken();

        JsonNode listed = listedCustomer(admin, account.customerId());
        assertThat(listed.get("company").asText()).isEqualTo("Listed Lighthouses");
        assertThat(listed.get("status").asText()).isEqualTo("ACTIVE");
        assertThat(listed.get("documentCount").asInt()).isZero();
        JsonNode one = ok(api.get("/v1/admin/customers/" + account.customerId(), admin));
        assertThat(one.get("company").asText()).isEqualTo("Listed Lighthouses");
        assertThat(one.get("customerId").asText()).isEqualTo(account.customerId());

        JsonNode page = ok(api.get("/v1/admin/customers?limit=1", admin));
        assertThat(page.get("customers")).hasSize(1);
        assertThat(page.get("next").asText()).isEqualTo(page.get("customers").get(0).get("customerId").asText());
        assertProblem(api.outsideContract().get("/v1/admin/customers?limit=0", admin), 400);
        assertProblem(api.outsideContract().get("/v1/admin/customers?limit=many", admin), 400);
        assertProblem(api.get("/v1/admin/customers/" + UUID.randomUUID(), admin), 404);
        assertProblem(api.get("/v1/admin/customers/not-a-customer", admin), 404);

        ApiClient.Response created = api.postJson("/v1/admin/customers", admin, Json.object("name", "Made By Admin"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode me = ok(api.get("/v1/auth/me", created.json().get("apiKey").asText()));
        assertThat(me.get("customerId").asText()).isEqualTo(created.json().get("customerId").asText());
    }

    @Test
    void customerCredentialsAreForbiddenOnAdminEndpointsAndAdminsOnCustomerEndpoints() {
        TestSystem.Account account = system.signUp("Would Be Admin");
        TestSystem.IssuedKey key = system.createApiKey(account.accessToken(), "ingest", "search", "read", "admin");
        Database database = system.database();
        long events = database.count(COUNT_EVENTS, account.customerId());
        String own = "/v1/admin/customers/" + account.customerId();

        for (Map<String, String> credential : List.of(ApiClient.bearer(account.accessToken()),
                ApiClient.bearer(key.secret()), ApiClient.apiKeyHeader(key.secret()))) {
            assertProblem(api.send("GET", "/v1/admin/customers", credential, null), 403);
            assertProblem(api.send("GET", own, credential, null), 403);
            assertProblem(api.send("POST", own + "/suspend", credential, "{}"), 403);
            assertProblem(api.send("POST", own + "/reactivate", credential, null), 403);
            assertProblem(api.send("DELETE", own, credential, null), 403);
            assertProblem(api.send("GET", own + "/ceilings", credential, null), 403);
            assertProblem(api.send("PUT", own + "/ceilings", credential, Json.object("maxDocuments", 1_000_000)), 403);
            assertProblem(api.send("POST", "/v1/admin/customers", credential, Json.object("name", "Mine")), 403);
            assertProblem(api.send("POST", "/v1/admin/signing-keys/rotate", credential, null), 403);
        }
        String admin = system.adminAccessToken();
        assertProblem(api.postJson("/v1/search", admin, Json.object("query", "anything")), 403);
        assertProblem(api.get("/v1/customer/config", admin), 403);
        assertProblem(api.get("/v1/api-keys", admin), 403);
        assertProblem(api.upload(admin, "file", "a.txt", "text".getBytes(StandardCharsets.UTF_8), null), 403);

        assertThat(database.count(COUNT_EVENTS, account.customerId())).isEqualTo(events);
        assertThat(ok(api.get(own, admin)).get("status").asText()).isEqualTo("ACTIVE");
    }

    @Test
    void aSuspendedCustomerIsForbiddenEverywhereUntilReactivated() {
        TestSystem.Account account = system.signUp("Suspended Shipping");
        TestSystem.IssuedKey key = system.createApiKey(account.accessToken(), "ingest", "search", "read", "admin");
        String documentId = upload(key.secret());
        String admin = system.adminAccessToken();
        String path = "/v1/admin/customers/" + account.customerId();
        assertProblem(api.outsideContract().postJson(path + "/suspend", admin, "null"), 400);
        assertThat(ok(api.get(path, admin)).get("status").asText()).isEqualTo("ACTIVE");

        JsonNode suspended = ok(api.postJson(path + "/suspend", admin, Json.object("reason", "unpaid invoices")));

        assertThat(suspended.get("status").asText()).isEqualTo("SUSPENDED");
        List<String> objects = system.objectKeys("tenants/" + account.customerId() + "/");
        long events = system.database().count(COUNT_EVENTS, account.customerId());
        for (Map<String, String> credential : List.of(ApiClient.bearer(account.accessToken()),
                ApiClient.bearer(key.secret()), ApiClient.apiKeyHeader(key.secret()))) {
            for (ApiClient.Response response : everyCustomerEndpoint(credential, documentId, key.keyId())) {
                assertProblem(response, 403);
                assertThat(response.json().get("detail").asText()).contains("suspended");
            }
        }
        assertProblem(login(account.email()), 403);
        assertProblem(refresh(account.refreshToken()), 403);
        assertThat(system.objectKeys("tenants/" + account.customerId() + "/")).isEqualTo(objects);
        assertThat(system.database().count(COUNT_EVENTS, account.customerId())).isEqualTo(events);

        JsonNode reactivated = ok(api.postJson(path + "/reactivate", admin, ""));

        assertThat(reactivated.get("status").asText()).isEqualTo("ACTIVE");
        assertThat(api.get("/v1/auth/me", account.accessToken()).status()).isEqualTo(200);
        assertThat(api.get("/v1/documents/" + documentId, key.secret()).status()).isEqualTo(200);
        assertThat(api.send("GET", "/v1/api-keys", ApiClient.apiKeyHeader(key.secret()), null).status())
                .isEqualTo(200);
        assertThat(login(account.email()).status()).isEqualTo(200);
        assertThat(refresh(account.refreshToken()).status())
                .as("the refresh refused during the suspension did not use the token up").isEqualTo(200);
    }

    @Test
    void deletingACustomerRemovesItsDataAndShredsThePersonalFieldsOfItsEvents() throws Exception {
        String company = "Shredded Holdings " + UUID.randomUUID();
        TestSystem.Account account = system.signUp(company);
        String customerId = account.customerId();
        TestSystem.IssuedKey key = system.createApiKey(account.accessToken(), "ingest", "search", "read");
        String documentId = upload(key.secret());
        system.awaitStatus(key.secret(), documentId, "INDEXED");
        assertThat(api.putJson("/v1/customer/provider-key", account.accessToken(),
                Json.object("provider", "openai", "apiKey", "sk-deleted-" + UUID.randomUUID())).status())
                .isEqualTo(200);
        String prefix = "tenants/" + customerId + "/";
        Path datasets = system.lanceRoot().resolve(customerId);
        Database database = system.database();
        assertThat(system.objectKeys(prefix)).isNotEmpty();
        assertThat(datasets).isDirectory();
        await().atMost(Duration.ofSeconds(30)).until(() -> projectedRows(database, customerId) > 0);
        assertThat(eventsContaining(database, company)).isZero();
        assertThat(eventsContaining(database, account.email())).isZero();
        JsonNode registered = JSON.readTree((byte[]) database.rows("""
                SELECT payload FROM command.domain_event_entry
                WHERE aggregate_identifier = ? AND payload_type LIKE '%CustomerRegistered'""", customerId)
                .getFirst().get("payload"));
        String companyCiphertext = registered.get("company").get("ciphertext").asText();
        assertThat(registered.get("email").get("ciphertext").asText()).isNotBlank();

        ApiClient.Response deleted = api.delete("/v1/admin/customers/" + customerId, system.adminAccessToken());

        assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);
        assertThat(deleted.json().get("status").asText()).isEqualTo("DELETED");
        assertThat(deleted.json().get("company").isNull()).isTrue();
        JsonNode afterwards = ok(api.get("/v1/admin/customers/" + customerId, system.adminAccessToken()));
        assertThat(afterwards.get("status").asText()).isEqualTo("DELETED");
        assertThat(afterwards.get("company").isNull()).isTrue();
        assertThat(listedCustomer(system.adminAccessToken(), customerId).get("company").isNull()).isTrue();

        assertProblem(api.get("/v1/auth/me", account.accessToken()), 401);
        assertProblem(api.get("/v1/documents/" + documentId, key.secret()), 401);
        assertProblem(api.send("GET", "/v1/auth/me", ApiClient.apiKeyHeader(key.secret()), null), 401);
        assertProblem(login(account.email()), 401);
        assertProblem(refresh(account.refreshToken()), 401);

        Map<String, Object> dataKey = database.rows(
                "SELECT wrapped_key, destroyed_at FROM command.customer_data_key WHERE customer_id = ?", customerId)
                .getFirst();
        assertThat(dataKey.get("wrapped_key")).as("the data key material is gone").isNull();
        assertThat(dataKey.get("destroyed_at")).isNotNull();
        assertThat(database.count("SELECT count(*) FROM command.api_key WHERE customer_id = ?", customerId)).isZero();
        assertThat(database.count("SELECT count(*) FROM command.user_account WHERE customer_id = ?", customerId))
                .isZero();
        assertThat(database.count("SELECT count(*) FROM command.refresh_family WHERE user_id = ?",
                UUID.fromString(account.userId()))).isZero();
        assertThat(database.count("SELECT count(*) FROM command.provider_key WHERE customer_id = ?", customerId))
                .isZero();
        assertThat(database.count("""
                SELECT count(*) FROM command.domain_event_entry
                WHERE aggregate_identifier = ? AND payload_type LIKE '%CustomerRegistered'
                  AND position(convert_to(?, 'UTF8') in payload) > 0""", customerId, companyCiphertext))
                .as("the event stays for audit, with the company only as ciphertext").isEqualTo(1);
        assertThat(database.count("""
                SELECT count(*) FROM command.domain_event_entry
                WHERE aggregate_identifier = ? AND payload_type LIKE '%CustomerDeleted'""", customerId)).isEqualTo(1);
        assertThat(eventsContaining(database, company)).isZero();
        assertThat(eventsContaining(database, account.email())).isZero();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(system.objectKeys(prefix)).isEmpty();
            assertThat(datasets).doesNotExist();
            assertThat(projectedRows(database, customerId)).isZero();
        });
        assertThat(system.topicRecords(Topics.CUSTOMER_EVENTS.name()))
                .filteredOn(record -> customerId.equals(record.key()))
                .isNotEmpty()
                .allSatisfy(record -> assertThat(contains(record.value(), company)).isFalse());

        assertProblem(api.postJson("/v1/admin/customers/" + customerId + "/reactivate", system.adminAccessToken(),
                ""), 400);
        ApiClient newcomer = system.apiFromNewAddress();
        assertThat(newcomer.postJson("/v1/auth/signup", null, Json.object("email", account.email(), "password",
                PASSWORD, "company", company)).status()).isEqualTo(202);
        JsonNode signedIn = ok(newcomer.postJson("/v1/auth/login", null, Json.object("email", account.email(),
                "password", PASSWORD)));
        assertThat(signedIn.get("customerId").asText()).as("the email is free again: a new customer's")
                .isNotEqualTo(customerId);
    }

    private List<ApiClient.Response> everyCustomerEndpoint(Map<String, String> credential, String documentId,
                                                           String keyId) {
        byte[] text = "more text".getBytes(StandardCharsets.UTF_8);
        return List.of(
                api.uploadTo("/v1/documents", credential, "file", "more.txt", text, null),
                api.uploadTo("/v1/documents/" + documentId + "/versions", credential, "file", "more.txt", text, null),
                api.send("GET", "/v1/documents/" + documentId, credential, null),
                api.send("GET", "/v1/documents/" + documentId + "/versions", credential, null),
                api.send("DELETE", "/v1/documents/" + documentId, credential, null),
                api.send("POST", "/v1/search", credential, Json.object("query", "tides")),
                api.send("GET", "/v1/customer/config", credential, null),
                api.send("PUT", "/v1/customer/config", credential, Json.object("maxDocuments", 5)),
                api.send("PUT", "/v1/customer/provider-key", credential,
                        Json.object("provider", "openai", "apiKey", "sk-suspended-0123456789")),
                api.send("DELETE", "/v1/customer/provider-key", credential, null),
                api.send("GET", "/v1/api-keys", credential, null),
                api.send("POST", "/v1/api-keys", credential, "{}"),
                api.send("DELETE", "/v1/api-keys/" + keyId, credential, null),
                api.send("GET", "/v1/auth/me", credential, null));
    }

    private String upload(String credential) {
        ApiClient.Response upload = api.upload(credential, "file", "guide.md",
                Corpus.lighthouseGuide().getBytes(StandardCharsets.UTF_8), "Guide");
        assertThat(upload.status()).as(upload.body()).isEqualTo(202);
        return upload.json().get("documentId").asText();
    }

    /** From an address of its own: some of these sign-ins fail on purpose. */
    private ApiClient.Response login(String email) {
        return system.apiFromNewAddress().postJson("/v1/auth/login", null, Json.object("email", email, "password",
                PASSWORD));
    }

    private ApiClient.Response refresh(String refreshToken) {
        return api.postJson("/v1/auth/refresh", null, Json.object("refreshToken", refreshToken));
    }

    private JsonNode listedCustomer(String admin, String customerId) {
        String after = null;
        do {
            JsonNode page = ok(api.get("/v1/admin/customers?limit=500" + (after == null ? "" : "&after=" + after),
                    admin));
            for (JsonNode customer : page.get("customers")) {
                if (customer.get("customerId").asText().equals(customerId)) {
                    return customer;
                }
            }
            after = page.get("next").isNull() ? null : page.get("next").asText();
        } while (after != null);
        throw new AssertionError("customer " + customerId + " is not listed");
    }

    /** Rows of the customer in every read model (every projections table with a customer id). */
    private static long projectedRows(Database database, String customerId) {
        List<String> tables = new ArrayList<>();
        database.rows("""
                SELECT table_name FROM information_schema.columns
                WHERE table_schema = 'projections' AND column_name = 'customer_id'
                  AND table_name <> 'deleted_customer'""")
                .forEach(row -> tables.add((String) row.get("table_name")));
        assertThat(tables).contains("document");
        long rows = 0;
        for (String table : tables) {
            rows += database.count("SELECT count(*) FROM projections." + table + " WHERE customer_id = ?", customerId);
        }
        return rows;
    }

    private static long eventsContaining(Database database, String text) {
        return database.count("""
                SELECT count(*) FROM command.domain_event_entry
                WHERE position(convert_to(?, 'UTF8') in payload) > 0
                   OR position(convert_to(?, 'UTF8') in coalesce(meta_data, ''::bytea)) > 0""", text, text);
    }

    private static boolean contains(byte[] bytes, String text) {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode ok(ApiClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }
}
