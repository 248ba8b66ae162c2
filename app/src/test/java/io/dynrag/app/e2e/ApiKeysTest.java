package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.platform.crypto.Secrets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.dynrag.app.e2e.TestSystem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/** API keys over HTTP: shown once, stored hashed, accepted in both headers, scoped, revocable. */
@Tag("e2e")
class ApiKeysTest {

    private final TestSystem system = TestSystem.shared();
    private final ApiClient api = system.api();

    @Test
    void aKeyIsShownOnceAndListedWithoutItsSecret() {
        TestSystem.Account account = system.signUp("Key Owner");
        Instant before = Instant.now().minusSeconds(5);

        ApiClient.Response created = api.postJson("/v1/api-keys", account.accessToken(),
                Json.object("name", "indexer", "scopes", List.of("search", "ingest")));

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode key = created.json();
        String secret = key.get("apiKey").asText();
        String keyId = key.get("keyId").asText();
        assertThat(secret).startsWith("drk_").hasSizeGreaterThanOrEqualTo(4 + 43);
        assertThat(key.get("prefix").asText()).isEqualTo(secret.substring(0, 10));
        assertThat(key.get("scopes")).extracting(JsonNode::asText).containsExactly("ingest", "search");
        assertThat(key.get("name").asText()).isEqualTo("indexer");

        JsonNode listed = listedKey(account.accessToken(), keyId);
        assertThat(listed.get("prefix").asText()).isEqualTo(secret.substring(0, 10));
        assertThat(listed.get("name").asText()).isEqualTo("indexer");
        assertThat(listed.get("scopes")).extracting(JsonNode::asText).containsExactly("ingest", "search");
        assertThat(Instant.parse(listed.get("createdAt").asText())).isAfter(before);
        assertThat(listed.get("lastUsedAt").isNull()).isTrue();
        ApiClient.Response list = api.get("/v1/api-keys", account.accessToken());
        assertThat(list.body()).doesNotContain(secret).doesNotContain(secret.substring(10));
        Map<String, Object> stored = system.database().rows(
                "SELECT key_hash, prefix FROM command.api_key WHERE key_id = ?", UUID.fromString(keyId)).getFirst();
        assertThat(stored.get("key_hash")).isEqualTo(Secrets.sha256Hex(secret));
        assertThat(stored.get("prefix")).isEqualTo(secret.substring(0, 10));

        assertThat(api.postJson("/v1/search", secret, Json.object("query", "anything")).status()).isEqualTo(200);
        JsonNode used = listedKey(account.accessToken(), keyId);
        assertThat(Instant.parse(used.get("lastUsedAt").asText())).isAfter(before);
    }

    @Test
    void aKeyWithoutNamedScopesMayIngestSearchAndReadButNotAdminister() {
        TestSystem.Account account = system.signUp("Default Scopes");

        ApiClient.Response created = api.postJson("/v1/api-keys", account.accessToken(), "{}");

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("scopes")).extracting(JsonNode::asText)
                .containsExactly("ingest", "read", "search");
        assertProblem(api.get("/v1/api-keys", created.json().get("apiKey").asText()), 403);
    }

    @Test
    void aKeyWorksAsBearerAndAsXApiKey() {
        TestSystem.Account account = system.signUp("Two Headers");
        TestSystem.IssuedKey key = system.createApiKey(account.accessToken(), "search", "read");
        String search = Json.object("query", "what is in here?", "topK", 3);

        assertThat(api.postJson("/v1/search", key.secret(), search).status()).isEqualTo(200);
        assertThat(api.send("POST", "/v1/search", ApiClient.apiKeyHeader(key.secret()), search).status())
                .isEqualTo(200);
        assertThat(api.send("GET", "/v1/customer/config", ApiClient.apiKeyHeader(key.secret()), null).status())
                .isEqualTo(200);
        assertProblem(api.send("POST", "/v1/search", ApiClient.apiKeyHeader("drk_" + "B".repeat(43)), search), 401);
        assertProblem(api.send("POST", "/v1/search", ApiClient.apiKeyHeader(account.accessToken()), search), 401);
    }

    /**
     * Every endpoint family with a key of each single scope, in both headers: the key with the
     * needed scope gets through (whatever the endpoint then answers), every other key gets 403
     * before anything is read or changed.
     */
    @Test
    void aKeyWithoutTheNeededScopeIsForbiddenOnEveryEndpointFamily() {
        TestSystem.Account account = system.signUp("Scoped Keys");
        String documentId = uploaded(account.accessToken());
        Map<String, TestSystem.IssuedKey> keys = Map.of(
                "ingest", system.createApiKey(account.accessToken(), "ingest"),
                "search", system.createApiKey(account.accessToken(), "search"),
                "read", system.createApiKey(account.accessToken(), "read"),
                "admin", system.createApiKey(account.accessToken(), "admin"));
        List<Probe> probes = List.of(
                new Probe("ingest", "POST", "/v1/documents", null, 202),
                new Probe("search", "POST", "/v1/search", Json.object("query", "tides"), 200),
                new Probe("read", "GET", "/v1/documents/" + documentId, null, 200),
                new Probe("read", "GET", "/v1/customer/config", null, 200),
                new Probe("admin", "GET", "/v1/api-keys", null, 200),
                new Probe("admin", "POST", "/v1/api-keys", Json.object("scopes", List.of("read")), 201),
                new Probe("admin", "DELETE", "/v1/api-keys/" + UUID.randomUUID(), null, 404),
                new Probe("admin", "PUT", "/v1/customer/config", "{}", 200),
                // A key the contract does not allow, refused with 400 on purpose: an allowed call changes nothing.
                new Probe("admin", "PUT", "/v1/customer/provider-key", Json.object("provider", "none"), 400, false),
                new Probe("admin", "DELETE", "/v1/customer/provider-key?provider=none", null, 400));
        Database database = system.database();
        String countEvents = "SELECT count(*) FROM command.domain_event_entry WHERE aggregate_identifier = ?";
        long customerEvents = database.count(countEvents, account.customerId());

        List<String> outcomes = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (Probe probe : probes) {
            for (var key : keys.entrySet()) {
                for (Map<String, String> headers : List.of(ApiClient.bearer(key.getValue().secret()),
                        ApiClient.apiKeyHeader(key.getValue().secret()))) {
                    ApiClient.Response response = probe.send(api, headers);
                    String header = headers.keySet().iterator().next();
                    outcomes.add(probe + " with a " + key.getKey() + " key in " + header + " -> " + response.status());
                    boolean allowed = key.getKey().equals(probe.scope());
                    expected.add(probe + " with a " + key.getKey() + " key in " + header + " -> "
                            + (allowed ? probe.allowedStatus() : 403));
                    if (!allowed && response.status() == 403) {
                        assertProblem(response, 403);
                        assertThat(response.json().get("detail").asText()).contains("'" + probe.scope() + "'");
                    }
                }
            }
        }

        assertThat(outcomes).containsExactlyElementsOf(expected);
        assertThat(database.count(countEvents, account.customerId()))
                .as("refused requests changed nothing; the allowed ones changed nothing either")
                .isEqualTo(customerEvents);
    }

    @Test
    void aRevokedKeyIsRefusedAtOnce() {
        TestSystem.Account account = system.signUp("Revocation");
        TestSystem.IssuedKey key = system.createApiKey(account.accessToken(), "search", "admin");
        assertThat(api.get("/v1/api-keys", key.secret()).status()).isEqualTo(200);

        ApiClient.Response revoked = api.delete("/v1/api-keys/" + key.keyId(), account.accessToken());

        assertThat(revoked.status()).as(revoked.body()).isEqualTo(204);
        ApiClient.Response asBearer = api.postJson("/v1/search", key.secret(), Json.object("query", "tides"));
        assertProblem(asBearer, 401);
        assertThat(asBearer.header("WWW-Authenticate")).hasValue("Bearer");
        assertProblem(api.send("GET", "/v1/api-keys", ApiClient.apiKeyHeader(key.secret()), null), 401);
        assertProblem(api.delete("/v1/api-keys/" + key.keyId(), account.accessToken()), 404);
        assertThat(api.get("/v1/api-keys", account.accessToken()).json().get("keys"))
                .noneMatch(listed -> listed.get("keyId").asText().equals(key.keyId()));
    }

    @Test
    void aKeyMayRevokeItself() {
        TestSystem.Account account = system.signUp("Self Revocation");
        TestSystem.IssuedKey key = system.createApiKey(account.accessToken(), "admin");

        assertThat(api.delete("/v1/api-keys/" + key.keyId(), key.secret()).status()).isEqualTo(204);

        assertProblem(api.get("/v1/api-keys", key.secret()), 401);
    }

    @Test
    void badScopesNamesAndBodiesAreRefusedAndCreateNothing() {
        TestSystem.Account account = system.signUp("Bad Keys");
        String token = account.accessToken();
        ApiClient careless = api.outsideContract();

        assertProblem(careless.postJson("/v1/api-keys", token, Json.object("scopes", List.of("superuser"))), 400);
        assertProblem(careless.postJson("/v1/api-keys", token, Json.object("scopes", List.of("read", "ADMIN"))), 400);
        assertProblem(careless.postJson("/v1/api-keys", token, Json.object("scopes", List.of())), 400);
        assertProblem(careless.postJson("/v1/api-keys", token, Json.object("scopes", "read")), 400);
        assertProblem(careless.postJson("/v1/api-keys", token, Json.object("name", "n".repeat(101))), 400);
        assertProblem(careless.postJson("/v1/api-keys", token, Json.object("name", "x", "customerId",
                UUID.randomUUID().toString())), 400);
        assertProblem(careless.postJson("/v1/api-keys", token, "[1, 2]"), 400);
        assertProblem(careless.postJson("/v1/api-keys", token, "null"), 400);
        assertProblem(api.delete("/v1/api-keys/not-a-key-id", token), 404);
        assertProblem(api.postJson("/v1/api-keys", TestSystem.OPERATOR_TOKEN, "{}"), 403);
        assertProblem(api.postJson("/v1/api-keys", null, "{}"), 401);

        assertThat(api.get("/v1/api-keys", token).json().get("keys")).isEmpty();
    }

    /** @param inContract false for a probe whose request is outside docs/openapi.json on purpose */
    private record Probe(String scope, String method, String path, String json, int allowedStatus,
                         boolean inContract) {

        Probe(String scope, String method, String path, String json, int allowedStatus) {
            this(scope, method, path, json, allowedStatus, true);
        }

        ApiClient.Response send(ApiClient api, Map<String, String> headers) {
            if (path.equals("/v1/documents")) {
                return api.uploadTo(path, headers, "file", "probe.txt", "a probe".getBytes(StandardCharsets.UTF_8),
                        null);
            }
            return (inContract ? api : api.outsideContract()).send(method, path, headers, json);
        }

        @Override
        public String toString() {
            return method + " " + path.replaceAll("[0-9a-f-]{36}", "{id}");
        }
    }

    private String uploaded(String credential) {
        ApiClient.Response upload = api.upload(credential, "file", "tides.md",
                "# Tides\n\nThe moon pulls the ocean.\n".getBytes(StandardCharsets.UTF_8), "Tides");
        assertThat(upload.status()).as(upload.body()).isEqualTo(202);
        return upload.json().get("documentId").asText();
    }

    private JsonNode listedKey(String credential, String keyId) {
        ApiClient.Response list = api.get("/v1/api-keys", credential);
        assertThat(list.status()).as(list.body()).isEqualTo(200);
        for (JsonNode key : list.json().get("keys")) {
            if (key.get("keyId").asText().equals(keyId)) {
                return key;
            }
        }
        throw new AssertionError("key " + keyId + " is not listed: " + list.body());
    }
}
