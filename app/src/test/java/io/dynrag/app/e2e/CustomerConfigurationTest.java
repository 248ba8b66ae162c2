package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.identity.accounts.ProviderKeys;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static io.dynrag.app.e2e.TestSystem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The customer's own configuration: read, partially updated, validated field by field, each
 * change an event, and in force for the next upload; the provider key is sealed, never shown.
 */
@Tag("e2e")
class CustomerConfigurationTest {

    private static final String COUNT_EVENTS =
            "SELECT count(*) FROM command.domain_event_entry WHERE aggregate_identifier = ?";

    private final TestSystem system = TestSystem.shared();
    private final ApiClient api = system.api();

    @Test
    void aPartialUpdateChangesOnlyTheFieldsSentAndEachChangeIsAnEvent() {
        TestSystem.Account account = system.signUp("Configured Co");
        Database database = system.database();
        JsonNode initial = configuration(api.get("/v1/customer/config", account.accessToken()));
        assertThat(initial.get("maxDocuments").asInt()).isPositive();
        assertThat(initial.get("allowedContentTypes")).extracting(JsonNode::asText)
                .contains("text/markdown", "text/plain");
        long events = database.count(COUNT_EVENTS, account.customerId());

        JsonNode changed = configuration(api.putJson("/v1/customer/config", account.accessToken(),
                Json.object("maxDocuments", 7, "chunkOverlapTokens", 10)));

        assertThat(changed.get("maxDocuments").asInt()).isEqualTo(7);
        assertThat(changed.get("chunkOverlapTokens").asInt()).isEqualTo(10);
        assertThat(fieldsOtherThan(changed, "maxDocuments", "chunkOverlapTokens"))
                .isEqualTo(fieldsOtherThan(initial, "maxDocuments", "chunkOverlapTokens"));
        assertThat(configuration(api.get("/v1/customer/config", account.accessToken()))).isEqualTo(changed);
        assertThat(database.count(COUNT_EVENTS, account.customerId())).isEqualTo(events + 1);
        assertThat(database.rows("""
                SELECT payload_type FROM command.domain_event_entry WHERE aggregate_identifier = ?
                ORDER BY sequence_number DESC LIMIT 1""", account.customerId()).getFirst().get("payload_type"))
                .asString().endsWith("CustomerConfigurationChanged");

        configuration(api.putJson("/v1/customer/config", account.accessToken(), Json.object("maxDocuments", 7)));
        assertThat(database.count(COUNT_EVENTS, account.customerId())).as("no change, no event").isEqualTo(events + 1);
        JsonNode again = configuration(api.putJson("/v1/customer/config", account.accessToken(),
                Json.object("requestsPerMinute", 10, "requestsPerDay", 1000)));
        assertThat(again.get("requestsPerMinute").asInt()).isEqualTo(10);
        assertThat(again.get("maxDocuments").asInt()).isEqualTo(7);
        assertThat(database.count(COUNT_EVENTS, account.customerId())).isEqualTo(events + 2);
    }

    @Test
    void everyInvalidValueIsRefusedNamingTheFieldAndChangesNothing() {
        TestSystem.Account account = system.signUp("Invalid Config");
        Database database = system.database();
        JsonNode before = configuration(api.get("/v1/customer/config", account.accessToken()));
        long events = database.count(COUNT_EVENTS, account.customerId());
        List<Map.Entry<String, String>> invalid = List.of(
                Map.entry("requestsPerMinute", Json.object("requestsPerMinute", 0)),
                Map.entry("requestsPerDay", Json.object("requestsPerMinute", 100, "requestsPerDay", 99)),
                Map.entry("maxDocuments", Json.object("maxDocuments", 0)),
                Map.entry("maxDocuments", Json.object("maxDocuments", "many")),
                Map.entry("maxFileBytes", Json.object("maxFileBytes", -1)),
                Map.entry("allowedContentTypes", Json.object("allowedContentTypes", List.of())),
                Map.entry("allowedContentTypes", Json.object("allowedContentTypes", List.of("image/png"))),
                Map.entry("allowedContentTypes", "{\"allowedContentTypes\": [null]}"),
                Map.entry("chunkTokens", Json.object("chunkTokens", 8)),
                Map.entry("chunkTokens", Json.object("chunkTokens", 255)),
                Map.entry("chunkOverlapTokens", Json.object("chunkOverlapTokens", -1)),
                Map.entry("chunkOverlapTokens", Json.object("chunkTokens", 100, "chunkOverlapTokens", 51)),
                Map.entry("chunkTokens plus chunkOverlapTokens",
                        Json.object("chunkTokens", 200, "chunkOverlapTokens", 100)),
                Map.entry("embeddingModel", Json.object("embeddingModel", "text-embedding-3-large")),
                Map.entry("historyRetentionDays", Json.object("historyRetentionDays", 0)),
                Map.entry("historyRetentionDays", Json.object("historyRetentionDays", -3)),
                Map.entry("historyRetentionDays", Json.object("historyRetentionDays", "forever")),
                Map.entry("historyRetentionDays must be 1 to 365 (the operator's ceiling), was 366",
                        Json.object("historyRetentionDays", 366)),
                Map.entry("embeddingModel", Json.object("embeddingModel", "bge-small-en")),
                Map.entry("embeddingModel", Json.object("embeddingModel", "bge-small-en-v1.5-int8")),
                Map.entry("chunkTokens", Json.object("embeddingModel", "bge-small-en-v1.5", "chunkTokens", 511)),
                Map.entry("colour", Json.object("colour", "blue")));

        for (Map.Entry<String, String> bad : invalid) {
            ApiClient.Response refused = api.outsideContract().putJson("/v1/customer/config", account.accessToken(),
                    bad.getValue());
            assertProblem(refused, 400);
            assertThat(refused.json().get("detail").asText()).as(bad.getValue()).contains(bad.getKey())
                    .doesNotContain("io.dynrag");
        }
        assertProblem(api.outsideContract().putJson("/v1/customer/config", account.accessToken(), "null"), 400);
        assertProblem(api.outsideContract().putJson("/v1/customer/config", account.accessToken(), "[]"), 400);

        assertThat(configuration(api.get("/v1/customer/config", account.accessToken()))).isEqualTo(before);
        assertThat(database.count(COUNT_EVENTS, account.customerId())).isEqualTo(events);
    }

    @Test
    void theFileSizeAndTypeLimitsApplyToTheNextUpload() {
        TestSystem.Account account = system.signUp("Limited Uploads");
        configuration(api.putJson("/v1/customer/config", account.accessToken(),
                Json.object("maxFileBytes", 100, "allowedContentTypes", List.of("text/plain"))));

        assertProblem(upload(account.accessToken(), "big.txt", "x".repeat(101)), 413);
        assertProblem(upload(account.accessToken(), "notes.md", "# Notes\n\nsmall"), 415);
        assertThat(upload(account.accessToken(), "small.txt", "x".repeat(100)).status()).isEqualTo(202);
        assertThat(system.objectKeys("tenants/" + account.customerId() + "/")).hasSize(1);
    }

    @Test
    void theDocumentLimitRefusesTheUploadBeyondIt() {
        TestSystem.Account account = system.signUp("Few Documents");
        configuration(api.putJson("/v1/customer/config", account.accessToken(), Json.object("maxDocuments", 2)));
        assertThat(upload(account.accessToken(), "one.txt", "first document").status()).isEqualTo(202);
        assertThat(upload(account.accessToken(), "two.txt", "second document").status()).isEqualTo(202);
        long events = eventsOfTheCustomersDocuments(account.customerId());

        ApiClient.Response third = upload(account.accessToken(), "three.txt", "third document");

        assertProblem(third, 403);
        assertThat(third.json().get("detail").asText()).contains("2 documents");
        assertThat(system.objectKeys("tenants/" + account.customerId() + "/")).hasSize(2);
        assertThat(eventsOfTheCustomersDocuments(account.customerId())).isEqualTo(events);
        configuration(api.putJson("/v1/customer/config", account.accessToken(), Json.object("maxDocuments", 3)));
        assertThat(upload(account.accessToken(), "three.txt", "third document").status()).isEqualTo(202);
    }

    @Test
    void smallerChunksMakeMoreChunksForTheNextUpload() {
        TestSystem.Account account = system.signUp("Chunky");
        String first = upload(account.accessToken(), "guide.md", Corpus.lighthouseGuide()).json()
                .get("documentId").asText();
        configuration(api.putJson("/v1/customer/config", account.accessToken(),
                Json.object("chunkTokens", 40, "chunkOverlapTokens", 10)));
        String second = upload(account.accessToken(), "guide.md", Corpus.lighthouseGuide()).json()
                .get("documentId").asText();

        JsonNode before = system.awaitStatus(account.accessToken(), first, "INDEXED");
        JsonNode after = system.awaitStatus(account.accessToken(), second, "INDEXED");

        assertThat(after.get("chunks").asInt()).isGreaterThan(before.get("chunks").asInt());
        assertThat(after.get("tokens").asLong()).as("the overlap repeats text")
                .isGreaterThan(before.get("tokens").asLong());
    }

    @Test
    void theInt8ModelNeedsNoKeyIndexesIntoItsOwnDatasetAndAnswersSearches() {
        TestSystem.Account account = system.signUp("Quantised");
        String fp32 = upload(account.accessToken(), "guide.md", Corpus.lighthouseGuide()).json()
                .get("documentId").asText();
        system.awaitStatus(account.accessToken(), fp32, "INDEXED");

        JsonNode changed = configuration(api.putJson("/v1/customer/config", account.accessToken(),
                Json.object("embeddingModel", "all-minilm-l6-v2-q")));
        assertThat(changed.get("embeddingModel").asText()).isEqualTo("all-minilm-l6-v2-q");
        String int8 = upload(account.accessToken(), "guide.md", Corpus.lighthouseGuide()).json()
                .get("documentId").asText();
        JsonNode indexed = system.awaitStatus(account.accessToken(), int8, "INDEXED");
        assertThat(indexed.get("chunks").asInt()).isPositive();

        ApiClient.Response search = api.postJson("/v1/search", account.accessToken(),
                Json.object("query", "what did the keeper do before sunset", "topK", 3));
        assertThat(search.status()).as(search.body()).isEqualTo(200);
        JsonNode found = search.json();
        assertThat(found.get("model").asText()).isEqualTo("all-minilm-l6-v2-q");
        assertThat(found.get("results")).isNotEmpty();
        // The fp32 vectors of the first document live in the other model's dataset.
        found.get("results").forEach(result -> assertThat(result.get("documentId").asText()).isEqualTo(int8));
        assertThat(found.get("results").get(0).get("text").asText()).containsIgnoringCase("sunset");
    }

    @Test
    void theBgeModelsNeedNoKeyTakeLongerChunksAndEachIndexesIntoItsOwnDataset() {
        TestSystem.Account account = system.signUp("Bge Small");
        for (String model : List.of("bge-small-en-v1.5", "bge-small-en-v1.5-q")) {
            JsonNode changed = configuration(api.putJson("/v1/customer/config", account.accessToken(),
                    Json.object("embeddingModel", model, "chunkTokens", 400)));
            assertThat(changed.get("embeddingModel").asText()).isEqualTo(model);
            assertThat(changed.get("chunkTokens").asInt()).as("bge has 510 word pieces to MiniLM's 254")
                    .isEqualTo(400);
            String document = upload(account.accessToken(), "guide.md", Corpus.lighthouseGuide()).json()
                    .get("documentId").asText();
            assertThat(system.awaitStatus(account.accessToken(), document, "INDEXED").get("chunks").asInt())
                    .isPositive();

            ApiClient.Response search = api.postJson("/v1/search", account.accessToken(),
                    Json.object("query", "what did the keeper do before sunset", "topK", 3, "mode", "vector"));
            assertThat(search.status()).as(search.body()).isEqualTo(200);
            JsonNode found = search.json();
            assertThat(found.get("model").asText()).isEqualTo(model);
            assertThat(found.get("results")).isNotEmpty();
            // The fp32 and int8 vectors never meet: each model's search finds only what that model indexed.
            found.get("results").forEach(result -> assertThat(result.get("documentId").asText()).isEqualTo(document));
            assertThat(found.get("results").get(0).get("text").asText()).containsIgnoringCase("sunset");
        }
    }

    @Test
    void theProviderKeyIsSealedAtRestAndNeverShown() {
        TestSystem.Account account = system.signUp("Own Provider");
        String providerKey = "sk-proj-" + UUID.randomUUID().toString().replace("-", "");
        Database database = system.database();
        long events = database.count(COUNT_EVENTS, account.customerId());

        ApiClient.Response stored = api.putJson("/v1/customer/provider-key", account.accessToken(),
                Json.object("provider", "openai", "apiKey", providerKey, "baseUrl", "http://127.0.0.1:9"));

        assertThat(stored.status()).as(stored.body()).isEqualTo(200);
        List<String> fields = new ArrayList<>();
        stored.json().fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactlyInAnyOrder("provider", "fingerprint");
        assertThat(stored.json().get("fingerprint").asText()).isEqualTo(ProviderKeys.fingerprint(providerKey));
        ApiClient.Response config = api.get("/v1/customer/config", account.accessToken());
        assertThat(config.json().get("providerKey").get("fingerprint").asText())
                .isEqualTo(ProviderKeys.fingerprint(providerKey));
        assertThat(config.body()).doesNotContain(providerKey);
        assertThat(database.count(COUNT_EVENTS, account.customerId())).isEqualTo(events + 1);
        assertThat(database.count("""
                SELECT count(*) FROM command.domain_event_entry
                WHERE position(convert_to(?, 'UTF8') in payload) > 0""", providerKey)).isZero();
        Map<String, Object> row = database.rows("""
                SELECT sealed_key, kek_id, fingerprint, base_url FROM command.provider_key WHERE customer_id = ?""",
                account.customerId()).getFirst();
        assertThat(new String((byte[]) row.get("sealed_key"), StandardCharsets.ISO_8859_1)).doesNotContain(providerKey);
        assertThat(((byte[]) row.get("sealed_key")).length).isGreaterThan(providerKey.length());
        assertThat(row.get("kek_id")).isEqualTo("test");
        assertThat(row.get("fingerprint")).isEqualTo(ProviderKeys.fingerprint(providerKey));
        assertThat(row.get("base_url")).isEqualTo("http://127.0.0.1:9");

        assertProblem(api.outsideContract().putJson("/v1/customer/provider-key", account.accessToken(),
                Json.object("provider", "acme-ai", "apiKey", providerKey)), 400);
        assertProblem(api.putJson("/v1/customer/provider-key", account.accessToken(),
                Json.object("provider", "openai", "apiKey", "short")), 400);
        assertProblem(api.putJson("/v1/customer/provider-key", account.accessToken(),
                Json.object("provider", "openai", "apiKey", "has a space inside")), 400);
        assertProblem(api.putJson("/v1/customer/provider-key", account.accessToken(),
                Json.object("provider", "openai", "apiKey", providerKey, "baseUrl", "file:///etc/passwd")), 400);
        assertProblem(api.outsideContract().putJson("/v1/customer/provider-key", account.accessToken(),
                Json.object("provider", "openai", "apiKey", providerKey, "model", "gpt")), 400);
        assertThat(database.count(COUNT_EVENTS, account.customerId())).isEqualTo(events + 1);

        ApiClient.Response removed = api.delete("/v1/customer/provider-key", account.accessToken());

        assertThat(removed.status()).as(removed.body()).isEqualTo(204);
        assertThat(api.get("/v1/customer/config", account.accessToken()).json().get("providerKey").isNull()).isTrue();
        assertThat(database.count("SELECT count(*) FROM command.provider_key WHERE customer_id = ?",
                account.customerId())).isZero();
        assertThat(database.count(COUNT_EVENTS, account.customerId())).isEqualTo(events + 2);
    }

    private ApiClient.Response upload(String credential, String filename, String text) {
        return api.upload(credential, "file", filename, text.getBytes(StandardCharsets.UTF_8), null);
    }

    private long eventsOfTheCustomersDocuments(String customerId) {
        return system.database().count("""
                SELECT count(*) FROM command.domain_event_entry
                WHERE payload_type LIKE '%DocumentVersionUploaded'
                  AND position(convert_to(?, 'UTF8') in payload) > 0""",
                customerId);
    }

    private static JsonNode configuration(ApiClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("configuration");
    }

    private static Map<String, JsonNode> fieldsOtherThan(JsonNode configuration, String... excluded) {
        Map<String, JsonNode> fields = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = configuration.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!List.of(excluded).contains(field.getKey())) {
                fields.put(field.getKey(), field.getValue());
            }
        }
        return fields;
    }
}
