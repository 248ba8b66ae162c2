package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static io.dynrag.app.e2e.TestSystem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tenant isolation as a matrix: every endpoint that takes an id, called with tenant A's ids and
 * each kind of tenant B's credentials (and the admin's), answers 404 (403 where the role is
 * wrong) and leaves everything of A as it was; B's searches never find A's documents. The MCP tools
 * answer the same through {@code /mcp}, and {@code /openapi.json} is public and names no tenant.
 */
@Tag("e2e")
class TenantIsolationMatrixTest {

    private final TestSystem system = TestSystem.shared();
    private final ApiClient api = system.api();

    /** One request of the matrix: method, path, and whether it carries a multipart file. */
    private record Probe(String method, String path, boolean multipart, int expected) {

        ApiClient.Response send(ApiClient api, Map<String, String> credential) {
            if (multipart) {
                return api.uploadTo(path, credential, "file", "intruder.txt",
                        "written by another tenant".getBytes(StandardCharsets.UTF_8), "Intruder");
            }
            return api.send(method, path, credential, switch (method) {
                case "POST" -> path.endsWith("/reactivate") ? null : "{}";
                case "PUT" -> "{}";
                case "PATCH" -> "{\"title\": \"Intruder\", \"metadata\": {\"owner\": \"B\"}}";
                default -> null;
            });
        }
    }

    /** Everything of a tenant a foreign request could change or reveal. */
    private record TenantState(List<Map<String, Object>> events, List<Map<String, Object>> account,
                               List<Map<String, Object>> apiKeys, List<Map<String, Object>> providerKeys,
                               List<Map<String, Object>> users, List<Map<String, Object>> documents,
                               List<String> objects, List<String> datasetFiles) {
    }

    @Test
    void anotherTenantsIdsAnswerNotFoundAndChangeNothing() {
        TestSystem.Account a = system.signUp("Tenant A Lighthouses");
        TestSystem.Account b = system.signUp("Tenant B Bakery");
        TestSystem.IssuedKey aKey = system.createApiKey(a.accessToken(), "ingest", "search", "read", "admin");
        TestSystem.IssuedKey bKey = system.createApiKey(b.accessToken(), "ingest", "search", "read", "admin");
        String aDocument = upload(aKey.secret(), "lighthouses.md", Corpus.lighthouseGuide());
        String bDocument = upload(bKey.secret(), "recipes.txt", Corpus.recipes());
        assertThat(api.putJson("/v1/customer/config", a.accessToken(), Json.object("maxDocuments", 50)).status())
                .isEqualTo(200);
        assertThat(api.putJson("/v1/customer/provider-key", a.accessToken(),
                Json.object("provider", "openai", "apiKey", "sk-tenant-a-0123456789")).status()).isEqualTo(200);
        system.awaitStatus(aKey.secret(), aDocument, "INDEXED");
        system.awaitStatus(bKey.secret(), bDocument, "INDEXED");
        TenantState before = state(a, List.of(aDocument));

        String document = "/v1/documents/" + aDocument;
        String customer = "/v1/admin/customers/" + a.customerId();
        List<Probe> asCustomer = List.of(
                new Probe("GET", document, false, 404),
                new Probe("GET", "/v1/documents/" + aDocument.toUpperCase(Locale.ROOT), false, 404),
                new Probe("GET", document + "/versions", false, 404),
                new Probe("POST", document + "/versions", true, 404),
                new Probe("PATCH", document, false, 404),
                new Probe("GET", document + "/content", false, 404),
                new Probe("GET", document + "/chunks", false, 404),
                new Probe("DELETE", document, false, 404),
                new Probe("DELETE", "/v1/api-keys/" + aKey.keyId(), false, 404),
                new Probe("GET", customer, false, 403),
                new Probe("POST", customer + "/suspend", false, 403),
                new Probe("POST", customer + "/reactivate", false, 403),
                new Probe("DELETE", customer, false, 403),
                new Probe("GET", customer + "/ceilings", false, 403),
                new Probe("PUT", customer + "/ceilings", false, 403),
                new Probe("GET", "/v1/admin/customers", false, 403));
        List<Probe> asAdmin = List.of(
                new Probe("GET", document, false, 403),
                new Probe("GET", document + "/versions", false, 403),
                new Probe("POST", document + "/versions", true, 403),
                new Probe("PATCH", document, false, 403),
                new Probe("GET", document + "/content", false, 403),
                new Probe("GET", document + "/chunks", false, 403),
                new Probe("DELETE", document, false, 403),
                new Probe("DELETE", "/v1/api-keys/" + aKey.keyId(), false, 403));
        Map<String, Map<String, String>> credentials = Map.of(
                "B's access token", ApiClient.bearer(b.accessToken()),
                "B's API key as bearer", ApiClient.bearer(bKey.secret()),
                "B's API key in X-API-Key", ApiClient.apiKeyHeader(bKey.secret()));

        List<String> outcomes = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        credentials.forEach((name, credential) -> asCustomer.forEach(probe ->
                record(probe, name, probe.send(api, credential), outcomes, expected)));
        asAdmin.forEach(probe -> record(probe, "the admin's access token",
                probe.send(api, ApiClient.bearer(system.adminAccessToken())), outcomes, expected));

        assertThat(outcomes).containsExactlyElementsOf(expected);
        assertThat(state(a, List.of(aDocument))).isEqualTo(before);
        assertThat(api.get(document, aKey.secret()).status()).as("A's own ids still answer A").isEqualTo(200);
    }

    /**
     * Tenant A's document ids through every MCP tool that takes one, with each kind of B's credentials: not found,
     * or nothing found, and never a word of A's document; the admin's token is refused every tool. Nothing of A
     * changes, and A's own tool calls still answer.
     */
    @Test
    void mcpToolsWithAnotherTenantsIdsFindNothingAndChangeNothing() {
        TestSystem.Account a = system.signUp("Tenant A Mcp Lighthouses");
        TestSystem.Account b = system.signUp("Tenant B Mcp Bakery");
        TestSystem.IssuedKey bKey = system.createApiKey(b.accessToken(), "ingest", "search", "read");
        String aDocument = upload(a.accessToken(), "lighthouses.md", Corpus.lighthouseGuide());
        system.awaitStatus(a.accessToken(), aDocument, "INDEXED");
        String aTitle = api.get("/v1/documents/" + aDocument, a.accessToken()).json().get("title").asText();
        TenantState before = state(a, List.of(aDocument));

        String upper = aDocument.toUpperCase(Locale.ROOT);
        Map<String, String> notFound = new LinkedHashMap<>();
        for (String tool : List.of("get_document", "document_status", "read_document")) {
            notFound.put(toolCall(tool, "{\"documentId\": \"" + aDocument + "\"}"), tool);
            notFound.put(toolCall(tool, "{\"documentId\": \"" + upper + "\"}"), tool + " in upper case");
        }
        notFound.put(toolCall("read_document", "{\"documentId\": \"" + aDocument + "\", \"version\": 1}"),
                "read_document of version 1");
        notFound.put(toolCall("search", "{\"query\": \"lamp\", \"documentId\": \"" + aDocument + "\"}"),
                "search in the document");
        notFound.put(toolCall("search", "{\"query\": \"lamp\", \"documentId\": \"" + aDocument
                + "\", \"version\": 1}"), "search in its version");
        List<String> findNothing = List.of(
                toolCall("search", "{\"query\": \"lamp\", \"documentIds\": [\"" + aDocument + "\"]}"),
                toolCall("search", "{\"query\": \"lamp\", \"filter\": {\"documentId\": \"" + aDocument + "\"}}"),
                toolCall("list_documents", "{\"filter\": {\"documentId\": \"" + aDocument + "\"}}"),
                toolCall("list_documents", "{\"titlePrefix\": \"" + aTitle + "\"}"));
        Map<String, Map<String, String>> credentials = Map.of(
                "B's access token", ApiClient.bearer(b.accessToken()),
                "B's API key as bearer", ApiClient.bearer(bKey.secret()),
                "B's API key in X-API-Key", ApiClient.apiKeyHeader(bKey.secret()));

        List<String> leaks = new ArrayList<>();
        credentials.forEach((name, credential) -> {
            notFound.forEach((body, what) -> {
                JsonNode result = toolResult(credential, body);
                if (!result.path("isError").asBoolean() || !text(result).startsWith("404")) {
                    leaks.add(what + " with " + name + ": " + result);
                }
            });
            findNothing.forEach(body -> {
                JsonNode result = toolResult(credential, body);
                JsonNode found = result.path("structuredContent").has("results")
                        ? result.path("structuredContent").path("results")
                        : result.path("structuredContent").path("documents");
                if (result.path("isError").asBoolean() || !found.isArray() || !found.isEmpty()) {
                    leaks.add(body + " with " + name + ": " + result);
                }
            });
        });
        for (String tool : List.of("get_document", "document_status", "read_document", "search")) {
            String arguments = "{\"documentId\": \"" + aDocument + "\"" + (tool.equals("search")
                    ? ", \"query\": \"lamp\"}" : "}");
            JsonNode refused = toolResult(ApiClient.bearer(system.adminAccessToken()), toolCall(tool, arguments));
            if (!refused.path("isError").asBoolean() || !text(refused).startsWith("403")) {
                leaks.add(tool + " with the admin's access token: " + refused);
            }
        }

        assertThat(leaks).as("tool calls that found or named A's document").isEmpty();
        assertThat(state(a, List.of(aDocument))).isEqualTo(before);
        JsonNode own = toolResult(ApiClient.bearer(a.accessToken()),
                toolCall("get_document", "{\"documentId\": \"" + aDocument + "\"}"));
        assertThat(own.path("isError").asBoolean()).as("A's own ids still answer A: " + own).isFalse();
    }

    /** The contract is public and the same for everyone: no credential needed, nothing of any tenant in it. */
    @Test
    void theOpenApiDocumentNeedsNoCredentialsAndNamesNoTenant() {
        TestSystem.Account a = system.signUp("Tenant A Contract Readers");
        String aDocument = upload(a.accessToken(), "lighthouses.md", Corpus.lighthouseGuide());

        ApiClient.Response anonymous = api.send("GET", "/openapi.json", Map.of(), null);
        assertThat(anonymous.status()).as(anonymous.body()).isEqualTo(200);
        assertThat(anonymous.json().get("openapi").asText()).isEqualTo("3.1.0");
        for (Map<String, String> credential : List.of(ApiClient.bearer(a.accessToken()),
                ApiClient.bearer("not-a-credential"), ApiClient.bearer(system.adminAccessToken()))) {
            ApiClient.Response answered = api.send("GET", "/openapi.json", credential, null);
            assertThat(answered.status()).as(answered.body()).isEqualTo(200);
            assertThat(answered.body()).as("the same document for every caller").isEqualTo(anonymous.body());
        }
        assertThat(anonymous.body()).doesNotContain(a.customerId()).doesNotContain(aDocument)
                .doesNotContain(a.email()).doesNotContain(a.company()).doesNotContain(a.accessToken());
        assertThat(anonymous.header("RateLimit-Remaining")).as("no customer was counted").isEmpty();
    }

    @Test
    void searchNeverReturnsAnotherTenantsDocuments() {
        TestSystem.Account a = system.signUp("Tenant A Search");
        TestSystem.Account b = system.signUp("Tenant B Search");
        String aDocument = upload(a.accessToken(), "lighthouses.md", Corpus.lighthouseGuide());
        String bDocument = upload(b.accessToken(), "recipes.txt", Corpus.recipes());
        system.awaitStatus(a.accessToken(), aDocument, "INDEXED");
        system.awaitStatus(b.accessToken(), bDocument, "INDEXED");
        String aQuery = "how did the keeper keep the lamp burning through storms?";

        JsonNode own = system.search(a.accessToken(), aQuery, 5);
        assertThat(own).isNotEmpty();
        assertThat(own.get(0).get("documentId").asText()).isEqualTo(aDocument);
        for (String credential : List.of(b.accessToken(), system.createApiKey(b.accessToken(), "search").secret())) {
            JsonNode foreign = system.search(credential, aQuery, 100);
            assertThat(foreign).isNotEmpty();
            foreign.forEach(hit -> assertThat(hit.get("documentId").asText()).isEqualTo(bDocument));
            foreign.forEach(hit -> assertThat(hit.get("text").asText()).doesNotContainIgnoringCase("lighthouse"));
        }
    }

    /**
     * Tenant B naming tenant A's document ids and metadata values in {@code documentIds}, in filters of searches
     * (now and as of an instant, in every mode) and of the document list finds none of A's documents, and is told
     * nothing about them (no 404 that would confirm an id); the same filters find A's document for A.
     */
    @Test
    void idsAndFiltersNamingAnotherTenantsDocumentsFindNone() {
        TestSystem.Account a = system.signUp("Tenant A Filters");
        TestSystem.Account b = system.signUp("Tenant B Filters");
        String aDocument = uploadWithMetadata(a.accessToken(), "lighthouses.md", Corpus.lighthouseGuide(),
                "{\"owner\": \"tenant-a-lighthouses\", \"year\": 1850, \"tags\": [\"lamp\"]}");
        String bDocument = uploadWithMetadata(b.accessToken(), "recipes.txt", Corpus.recipes(),
                "{\"owner\": \"tenant-b-bakery\", \"year\": 2024}");
        system.awaitStatus(a.accessToken(), aDocument, "INDEXED");
        system.awaitStatus(b.accessToken(), bDocument, "INDEXED");
        String aTitle = api.get("/v1/documents/" + aDocument, a.accessToken()).json().get("title").asText();
        List<String> filters = List.of(
                "{\"documentId\": {\"$in\": [\"" + aDocument + "\"]}}",
                "{\"documentId\": \"" + aDocument + "\"}",
                "{\"metadata.owner\": \"tenant-a-lighthouses\"}",
                "{\"metadata.year\": {\"$lte\": 1850}}",
                "{\"metadata.tags\": {\"$in\": [\"lamp\"]}}",
                "{\"$or\": [{\"documentId\": \"" + aDocument + "\"}, {\"title\": \"" + aTitle + "\"}]}");
        // Filters of now read the documents read model, which follows the uploads by a moment.
        filters.forEach(filter -> await().atMost(TestSystem.INDEXING_TIMEOUT)
                .until(() -> listedIds(a.accessToken(), filter).equals(List.of(aDocument))));
        await().atMost(TestSystem.INDEXING_TIMEOUT)
                .until(() -> !listedIds(b.accessToken(), "{\"metadata.owner\": \"tenant-b-bakery\"}").isEmpty());
        String aQuery = "how did the keeper keep the lamp burning through storms?";
        String asOf = Instant.now().toString();
        assertThat(searchedIds(a.accessToken(), aQuery, "\"filter\": " + filters.getFirst()))
                .as("A's own filter finds A's document").containsExactly(aDocument);

        for (String credential : List.of(b.accessToken(), system.createApiKey(b.accessToken(), "search", "read")
                .secret())) {
            assertThat(searchedIds(credential, aQuery, "\"documentIds\": [\"" + aDocument + "\"]")).isEmpty();
            assertThat(searchedIds(credential, aQuery, "\"documentIds\": [\"" + aDocument + "\", \"" + bDocument
                    + "\"]")).containsOnly(bDocument);
            assertThat(searchedIds(credential, aQuery, "\"documentIds\": [\"" + aDocument + "\"], \"asOf\": \""
                    + asOf + "\"")).isEmpty();
            for (String filter : filters) {
                for (String mode : List.of("hybrid", "vector", "keyword")) {
                    assertThat(searchedIds(credential, aQuery, "\"mode\": \"" + mode + "\", \"filter\": " + filter))
                            .as(mode + " " + filter).isEmpty();
                }
                assertThat(searchedIds(credential, aQuery, "\"filter\": " + filter + ", \"asOf\": \"" + asOf + "\""))
                        .as("as of now, " + filter).isEmpty();
                assertThat(listedIds(credential, filter)).as("the list, " + filter).isEmpty();
                assertThat(listedIds(credential, filter + "&asOf=" + asOf)).as("the list then, " + filter).isEmpty();
            }
            ApiClient.Response byParameter = api.get("/v1/documents?metadata.owner=tenant-a-lighthouses", credential);
            assertThat(byParameter.status()).as(byParameter.body()).isEqualTo(200);
            assertThat(byParameter.json().get("documents")).isEmpty();
        }
    }

    private static void record(Probe probe, String credential, ApiClient.Response response, List<String> outcomes,
                               List<String> expected) {
        String request = probe.method() + " " + probe.path() + " with " + credential;
        outcomes.add(request + " -> " + response.status());
        expected.add(request + " -> " + probe.expected());
        if (response.status() == probe.expected()) {
            assertProblem(response, probe.expected());
        }
    }

    /** A tools/call request of one tool. */
    private static String toolCall(String tool, String arguments) {
        return "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/call\", \"params\": {\"name\": \"" + tool
                + "\", \"arguments\": " + arguments + "}}";
    }

    /** The result of a tool call, which as a JSON-RPC request must answer 200. */
    private JsonNode toolResult(Map<String, String> credential, String body) {
        Map<String, String> headers = new HashMap<>(credential);
        headers.put("Accept", "application/json, text/event-stream");
        ApiClient.Response response = api.send("POST", "/mcp", headers, body);
        assertThat(response.status()).as(body + ": " + response.body()).isEqualTo(200);
        return response.json().path("result");
    }

    private static String text(JsonNode result) {
        return result.path("content").path(0).path("text").asText("");
    }

    private String upload(String credential, String filename, String text) {
        ApiClient.Response upload = api.upload(credential, "file", filename, text.getBytes(StandardCharsets.UTF_8),
                null);
        assertThat(upload.status()).as(upload.body()).isEqualTo(202);
        return upload.json().get("documentId").asText();
    }

    private String uploadWithMetadata(String credential, String filename, String text, String metadata) {
        ApiClient.Response upload = api.uploadWithFields(credential, filename, text.getBytes(StandardCharsets.UTF_8),
                Map.of("metadata", metadata));
        assertThat(upload.status()).as(upload.body()).isEqualTo(202);
        return upload.json().get("documentId").asText();
    }

    /** The documents of a search's hits, which must answer 200. */
    private List<String> searchedIds(String credential, String query, String more) {
        ApiClient.Response response = api.postJson("/v1/search", credential, "{\"query\": \"" + query
                + "\", \"topK\": 100, " + more + "}");
        assertThat(response.status()).as(more + ": " + response.body()).isEqualTo(200);
        return StreamSupport.stream(response.json().get("results").spliterator(), false)
                .map(hit -> hit.get("documentId").asText()).distinct().toList();
    }

    /** The documents the list shows for a filter (and further parameters after it), which must answer 200. */
    private List<String> listedIds(String credential, String filterAndMore) {
        int more = filterAndMore.indexOf('&');
        String filter = more < 0 ? filterAndMore : filterAndMore.substring(0, more);
        ApiClient.Response response = api.get("/v1/documents?filter=" + URLEncoder.encode(filter,
                StandardCharsets.UTF_8) + (more < 0 ? "" : filterAndMore.substring(more)), credential);
        assertThat(response.status()).as(filterAndMore + ": " + response.body()).isEqualTo(200);
        return StreamSupport.stream(response.json().get("documents").spliterator(), false)
                .map(document -> document.get("documentId").asText()).toList();
    }

    private TenantState state(TestSystem.Account tenant, List<String> documentIds) {
        Database database = system.database();
        String customerId = tenant.customerId();
        List<Object> aggregates = new ArrayList<>(documentIds);
        aggregates.add(customerId);
        return new TenantState(
                database.rows("""
                        SELECT global_index, aggregate_identifier, sequence_number, payload_type
                        FROM command.domain_event_entry WHERE aggregate_identifier = ANY (?) ORDER BY global_index""",
                        (Object) aggregates.toArray(String[]::new)),
                database.rows("SELECT * FROM command.customer_account WHERE customer_id = ?", customerId),
                database.rows("""
                        SELECT key_id, name, prefix, array_to_string(scopes, ',') AS scopes, created_at, last_used_at,
                               revoked_at
                        FROM command.api_key WHERE customer_id = ? ORDER BY key_id""", customerId),
                database.rows("""
                        SELECT customer_id, provider, kek_id, fingerprint, base_url, updated_at
                        FROM command.provider_key WHERE customer_id = ?""", customerId),
                database.rows("SELECT user_id, email, disabled_at FROM command.user_account WHERE customer_id = ?",
                        customerId),
                database.rows("SELECT * FROM projections.document WHERE customer_id = ? ORDER BY document_id",
                        customerId),
                system.objectKeys("tenants/" + customerId + "/"),
                datasetFiles(system.lanceRoot().resolve(customerId)));
    }

    private static List<String> datasetFiles(Path tenant) {
        try (Stream<Path> files = Files.walk(tenant)) {
            return files.map(tenant::relativize).map(Path::toString).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
