package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Document metadata at upload, its limits, and changes of title and metadata over time, over HTTP. */
@Tag("e2e")
class DocumentMetadataApiTest {

    private static final String METADATA = """
            {"team": "oceans", "year": 2024, "score": 0.5, "reviewed": true, "tags": ["moon", "sea"],
             "published": "2024-05-01"}""";

    private TestSystem system;
    private ApiClient api;

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
        api = system.api();
    }

    @Test
    void metadataTravelsFromTheUploadIntoEveryReadAndAChangeKeepsThePast() throws Exception {
        String key = system.registerCustomer("Metadata Ltd");
        ApiClient.Response created = upload(key, "tides.md", "# Tides\n\nThe moon pulls the ocean.", METADATA);
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        String documentId = created.json().get("documentId").asText();
        JsonNode expected = Json.read(METADATA);
        assertThat(api.get("/v1/documents/" + documentId, key).json().get("metadata")).isEqualTo(expected);
        JsonNode indexed = system.awaitStatus(key, documentId, "INDEXED");
        assertThat(indexed.get("metadata")).as("from the read model").isEqualTo(expected);

        Instant beforeChange = Instant.now();
        Thread.sleep(5);
        ApiClient.Response changed = patch(key, documentId,
                "{\"title\": \"Tides explained\", \"metadata\": {\"year\": 2025, \"reviewed\": null}}");
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        JsonNode now = changed.json();
        assertThat(now.get("title").asText()).isEqualTo("Tides explained");
        assertThat(now.get("metadata")).isEqualTo(Json.read("""
                {"team": "oceans", "year": 2025, "score": 0.5, "tags": ["moon", "sea"], "published": "2024-05-01"}"""));
        assertThat(now.get("version").asInt()).as("no new version").isEqualTo(1);
        assertThat(now.get("status").asText()).as("nothing re-indexed").isEqualTo("INDEXED");
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> api.get("/v1/documents/" + documentId, key).json()
                .get("title").asText().equals("Tides explained"));
        assertThat(api.get("/v1/documents/" + documentId, key).json().get("metadata")).isEqualTo(now.get("metadata"));

        JsonNode then = api.get("/v1/documents/" + documentId + "?asOf=" + beforeChange, key).json();
        assertThat(then.get("title").asText()).isEqualTo("tides.md");
        assertThat(then.get("metadata")).isEqualTo(expected);
        assertThat(api.get("/v1/documents/" + documentId + "?asOf=" + Instant.now(), key).json().get("metadata"))
                .isEqualTo(now.get("metadata"));

        JsonNode hitNow = searchHit(key, "{\"query\": \"moon ocean\"}");
        assertThat(hitNow.get("title").asText()).as("a hit's title, now").isEqualTo("Tides explained");
        assertThat(hitNow.get("metadata")).as("a hit's metadata, now").isEqualTo(now.get("metadata"));
        JsonNode hitThen = searchHit(key, "{\"query\": \"moon ocean\", \"asOf\": \"" + beforeChange + "\"}");
        assertThat(hitThen.get("title").asText()).as("a hit's title before the change").isEqualTo("tides.md");
        assertThat(hitThen.get("metadata")).as("a hit's metadata before the change").isEqualTo(expected);

        assertThat(patch(key, documentId, "{\"title\": \"Tides explained\"}").status()).as("a repeat").isEqualTo(200);
        JsonNode events = api.get("/v1/audit/events?documentId=" + documentId, key).json().get("events");
        assertThat(StreamSupport.stream(events.spliterator(), false)
                .filter(event -> event.get("type").asText().equals("DocumentMetadataChanged")).toList())
                .as("one change recorded; the repeat changed nothing").singleElement()
                .satisfies(event -> assertThat(event.get("payload").get("metadata")).isEqualTo(now.get("metadata")));
        assertThat(events.get(0).get("payload").get("metadata")).as("the upload's").isEqualTo(expected);

        assertThat(patch(key, documentId, "{\"metadata\": null}").json().get("metadata")).isEmpty();
    }

    /** The first hit of a search in the customer's only document. */
    private JsonNode searchHit(String key, String request) {
        ApiClient.Response found = api.postJson("/v1/search", key, request);
        assertThat(found.status()).as(found.body()).isEqualTo(200);
        return found.json().get("results").get(0);
    }

    @Test
    void badMetadataIsRefusedNamingTheKeyAndStoresNothing() {
        String key = system.registerCustomer("Bad Metadata Ltd");
        Map<String, String> refused = Map.of(
                "{\"owner\": {\"name\": \"x\"}}", "metadata.owner",
                "{\"tags\": [\"a\", 1]}", "metadata.tags[1]",
                "{\"bad key\": 1}", "bad key",
                "{\"long\": \"" + "x".repeat(1025) + "\"}", "metadata.long",
                "not json", "'metadata'",
                "[1, 2]", "'metadata'");
        refused.forEach((metadata, named) -> {
            ApiClient.Response response = upload(key, "a.txt", "Some text.", metadata);
            TestSystem.assertProblem(response, 400);
            assertThat(response.json().get("detail").asText()).contains(named);
        });
        ApiClient.Response url = api.outsideContract().postJson("/v1/documents", key,
                "{\"url\": \"https://example.org/a\", \"metadata\": {\"a\": {\"b\": 1}}}");
        TestSystem.assertProblem(url, 400);
        assertThat(url.json().get("detail").asText()).contains("metadata.a");
        ApiClient.Response batch = api.outsideContract().postJson("/v1/documents/batch", key,
                "{\"items\": [{\"url\": \"https://example.org/a\", \"metadata\": {\"n\": [true]}}]}");
        assertThat(batch.status()).as(batch.body()).isEqualTo(207);
        assertThat(batch.json().get("results").get(0).get("status").asInt()).isEqualTo(400);
        assertThat(batch.json().get("results").get(0).get("problem").get("detail").asText()).contains("metadata.n[0]");
        JsonNode events = api.get("/v1/audit/events", key).json().get("events");
        assertThat(StreamSupport.stream(events.spliterator(), false)
                .filter(event -> event.get("aggregateType").asText().equals("Document")).toList())
                .as("no document was created").isEmpty();
    }

    @Test
    void badChangesAreRefused() {
        String key = system.registerCustomer("Bad Changes Ltd");
        String stranger = system.registerCustomer("Stranger Ltd");
        String documentId = system.uploadDocument(key, "a.txt", "Some text.");
        ApiClient careless = api.outsideContract();
        TestSystem.assertProblem(patch(careless, key, documentId, "{}"), 400);
        TestSystem.assertProblem(patch(careless, key, documentId, "{\"status\": \"INDEXED\"}"), 400);
        TestSystem.assertProblem(patch(careless, key, documentId, "{\"title\": \"\"}"), 400);
        TestSystem.assertProblem(patch(careless, key, documentId, "{\"title\": 5}"), 400);
        TestSystem.assertProblem(patch(careless, key, documentId, "{\"metadata\": [1]}"), 400);
        TestSystem.assertProblem(patch(careless, key, documentId, "not json"), 400);
        ApiClient.Response nested = patch(careless, key, documentId, "{\"metadata\": {\"a\": {\"b\": 1}}}");
        TestSystem.assertProblem(nested, 400);
        assertThat(nested.json().get("detail").asText()).contains("metadata.a");
        TestSystem.assertProblem(patch(stranger, documentId, "{\"title\": \"Mine\"}"), 404);
        TestSystem.assertProblem(patch(key, UUID.randomUUID().toString(), "{\"title\": \"x\"}"), 404);
        assertThat(api.get("/v1/documents/" + documentId, key).json().get("title").asText()).isEqualTo("a.txt");

        assertThat(api.delete("/v1/documents/" + documentId, key).status()).isEqualTo(202);
        TestSystem.assertProblem(patch(key, documentId, "{\"title\": \"Gone\"}"), 409);
    }

    private ApiClient.Response patch(String key, String documentId, String json) {
        return patch(api, key, documentId, json);
    }

    private static ApiClient.Response patch(ApiClient client, String key, String documentId, String json) {
        return client.send("PATCH", "/v1/documents/" + documentId, ApiClient.bearer(key), json);
    }

    private ApiClient.Response upload(String key, String filename, String text, String metadata) {
        return api.uploadWithFields(key, filename, text.getBytes(StandardCharsets.UTF_8), Map.of("metadata", metadata));
    }
}
