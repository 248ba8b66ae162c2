package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Search within the documents a metadata filter or a list of ids keeps, over HTTP, in every mode: now (the read
 * model), as of an instant before a metadata change (the events), and for one version; bad filters refused
 * naming their offending part.
 */
@Tag("e2e")
class FilteredSearchTest {

    private static final String QUERY = "lighthouse keeper lamp";
    private static final List<String> MODES = List.of("hybrid", "vector", "keyword");

    private final TestSystem system = TestSystem.shared();
    private final ApiClient api = system.api();
    private String key;

    @Test
    void filtersKeepTheDocumentsTheyMatchInEveryModeNowAndThen() throws Exception {
        Instant beforeUploads = Instant.now();
        key = system.registerCustomer("Filtered Search Ltd");
        String a = upload("a.md", "The lighthouse keeper trimmed the lamp at dusk.", """
                {"team": "search", "year": 2024, "tags": ["moon", "sea"], "published": "2024-05-01",
                 "reviewed": true}""");
        String b = upload("b.md", "A lighthouse keeper logs every ship and lamp failure.", """
                {"team": "docs", "year": 2021, "tags": ["sea"], "published": "2021-01-15T10:00:00Z"}""");
        String c = upload("c.txt", "The lamp of the lighthouse needs its keeper at night.", """
                {"team": "search", "year": "2024", "score": 1.0}""");
        String d = upload("d.md", "Keeper, lamp and lighthouse: a short glossary.", "{}");
        String e = upload("e.md", "The old lighthouse keeper retired; the lamp went dark.", "{\"team\": \"ops\"}");
        String stranger = system.registerCustomer("Stranger Ltd");
        String foreign = system.uploadDocument(stranger, "f.md", "The lighthouse keeper of another tenant.");
        for (String id : List.of(a, b, c, d, e)) {
            system.awaitStatus(key, id, "INDEXED");
        }
        system.awaitStatus(stranger, foreign, "INDEXED");
        // Filters of now read the documents read model, which may trail the document reads above by a moment.
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> listed("{}", "&status=INDEXED").size() == 5);
        assertThat(api.delete("/v1/documents/" + e, key).status()).isEqualTo(202);
        String plainText = api.get("/v1/documents/" + c, key).json().get("contentType").asText();

        Map<String, Set<String>> cases = Map.ofEntries(
                Map.entry("{}", Set.of(a, b, c, d)),
                Map.entry("{\"metadata.team\": \"search\"}", Set.of(a, c)),
                Map.entry("{\"metadata.year\": 2024}", Set.of(a)),
                Map.entry("{\"metadata.year\": {\"$gte\": 2020, \"$lt\": 2023}}", Set.of(b)),
                Map.entry("{\"metadata.tags\": {\"$in\": [\"moon\"]}}", Set.of(a)),
                Map.entry("{\"metadata.tags\": \"sea\"}", Set.of(a, b)),
                Map.entry("{\"metadata.tags\": {\"$nin\": [\"sea\"]}}", Set.of(c, d)),
                Map.entry("{\"metadata.team\": {\"$ne\": \"search\"}}", Set.of(b, d)),
                Map.entry("{\"metadata.reviewed\": {\"$exists\": true}}", Set.of(a)),
                Map.entry("{\"metadata.published\": {\"$gte\": \"2024-01-01\"}}", Set.of(a)),
                Map.entry("{\"metadata.published\": {\"$lt\": \"2024-01-01T00:00:00Z\"}}", Set.of(b)),
                Map.entry("{\"metadata.score\": 1}", Set.of(c)),
                Map.entry("{\"contentType\": \"" + plainText + "\"}", Set.of(c)),
                Map.entry("{\"$or\": [{\"metadata.team\": \"docs\"}, {\"metadata.year\": \"2024\"}]}", Set.of(b, c)),
                Map.entry("{\"documentId\": {\"$nin\": [\"" + a + "\"]}}", Set.of(b, c, d)),
                Map.entry("{\"createdAt\": {\"$gte\": \"" + beforeUploads + "\"}}", Set.of(a, b, c, d)),
                Map.entry("{\"updatedAt\": {\"$lt\": \"2000-01-01\"}}", Set.of()),
                Map.entry("{\"metadata.team\": \"ops\"}", Set.of()),
                Map.entry("{\"documentId\": \"" + e + "\"}", Set.of()));
        cases.forEach((filter, expected) -> MODES.forEach(mode -> assertThat(found(", \"mode\": \"" + mode
                + "\", \"filter\": " + filter)).as(mode + " " + filter).isEqualTo(expected)));

        MODES.forEach(mode -> assertThat(found(", \"mode\": \"" + mode + "\", \"documentIds\": "
                + ids(a, c, "no-such-document", foreign))).as(mode).isEqualTo(Set.of(a, c)));
        assertThat(found(", \"documentId\": \"" + a + "\", \"documentIds\": " + ids(a, c))).isEqualTo(Set.of(a));
        assertThat(found(", \"documentId\": \"" + a + "\", \"documentIds\": " + ids(c))).isEmpty();
        assertThat(found(", \"filter\": {\"metadata.team\": \"search\"}, \"documentIds\": " + ids(a, b)))
                .isEqualTo(Set.of(a));

        Instant beforeChange = Instant.now();
        Thread.sleep(5);
        ApiClient.Response changed = api.send("PATCH", "/v1/documents/" + a, ApiClient.bearer(key),
                "{\"metadata\": {\"team\": \"docs\"}}");
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> found(", \"filter\": {\"metadata.team\": \"docs\"}")
                .equals(Set.of(a, b)));
        String teamSearch = ", \"filter\": {\"metadata.team\": \"search\"}";
        assertThat(found(teamSearch)).isEqualTo(Set.of(c));
        MODES.forEach(mode -> assertThat(found(teamSearch + ", \"mode\": \"" + mode + "\", \"asOf\": \""
                + beforeChange + "\"")).as("the metadata before the change, " + mode).isEqualTo(Set.of(a, c)));
        JsonNode then = search(teamSearch + ", \"asOf\": \"" + beforeChange + "\"");
        StreamSupport.stream(then.get("results").spliterator(), false)
                .filter(hit -> hit.get("documentId").asText().equals(a))
                .forEach(hit -> assertThat(hit.get("metadata").get("team").asText()).isEqualTo("search"));
        assertThat(found(", \"filter\": {\"metadata.team\": \"ops\"}, \"asOf\": \"" + beforeChange + "\""))
                .as("deleted by then").isEmpty();
        assertThat(found(", \"filter\": {\"metadata.team\": \"docs\"}, \"asOf\": \"" + beforeUploads + "\""))
                .as("nothing yet").isEmpty();

        String version = ", \"documentId\": \"" + a + "\", \"version\": 1";
        assertThat(found(version + ", \"filter\": {\"metadata.team\": \"docs\"}")).isEqualTo(Set.of(a));
        assertThat(found(version + ", \"filter\": {\"metadata.team\": \"search\"}")).isEmpty();

        String byYear = "{\"metadata.year\": {\"$gte\": 2024}}";
        assertThat(listed(byYear, "")).as("the list, filtered").containsExactly(a);
        assertThat(listed("{\"metadata.team\": \"search\"}", "&asOf=" + beforeChange))
                .as("the list as it was before the change").containsExactlyInAnyOrder(a, c);
        ApiClient.Response badList = api.get("/v1/documents?filter=" + encoded("{\"metadata.year\": {\"$near\": 1}}"),
                key);
        TestSystem.assertProblem(badList, 400);
        assertThat(badList.json().get("detail").asText()).contains("filter at /metadata.year/$near:");

        JsonNode now = search(", \"documentIds\": " + ids(a, b));
        assertThat(now.get("results")).allSatisfy(hit -> assertThat(hit.get("metadata").get("team").asText())
                .as("hits described as they are now").isEqualTo("docs"));
    }

    @Test
    void badFiltersAreRefusedNamingTheirPart() {
        key = system.registerCustomer("Bad Filters Ltd");
        Map<String, String> refused = Map.of(
                "\"filter\": \"team\"", "at /filter:",
                "\"filter\": {\"$or\": [{\"title\": \"a\"}, {\"metadata.year\": {\"$gte\": true}}]}",
                "at /filter/$or/1/metadata.year/$gte:",
                "\"filter\": {\"metadata.team\": {\"$regex\": \"a\"}}", "at /filter/metadata.team/$regex:",
                "\"filter\": {\"author\": \"x\"}", "at /filter/author:",
                "\"filter\": {\"$or\": []}", "at /filter/$or:",
                "\"filter\": {\"createdAt\": \"2026-01-01\"}", "use a range",
                "\"filter\": {\"metadata.team\": \"a\\u0000\"}", "at /filter/metadata.team: must not contain the NUL",
                "\"documentIds\": [\"a\\u0000\"]", "/documentIds/0",
                "\"documentIds\": " + ids(Collections.nCopies(1_001, "d").toArray(String[]::new)), "'documentIds'");
        refused.forEach((part, named) -> {
            ApiClient.Response response = api.outsideContract().postJson("/v1/search", key,
                    "{\"query\": \"" + QUERY + "\", " + part + "}");
            TestSystem.assertProblem(response, 400);
            assertThat(response.json().get("detail").asText()).as(part).contains(named);
        });
    }

    private String upload(String filename, String text, String metadata) {
        ApiClient.Response response = api.uploadWithFields(key, filename, text.getBytes(StandardCharsets.UTF_8),
                Map.of("metadata", metadata));
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("documentId").asText();
    }

    private JsonNode search(String more) {
        ApiClient.Response response = api.postJson("/v1/search", key,
                "{\"query\": \"" + QUERY + "\", \"topK\": 20" + more + "}");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    /** The documents of the hits. */
    private Set<String> found(String more) {
        Set<String> documents = new TreeSet<>();
        search(more).get("results").forEach(hit -> documents.add(hit.get("documentId").asText()));
        return documents;
    }

    /** The ids the document list shows for a filter. */
    private List<String> listed(String filter, String more) {
        ApiClient.Response response = api.get("/v1/documents?filter=" + encoded(filter) + more, key);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return StreamSupport.stream(response.json().get("documents").spliterator(), false)
                .map(document -> document.get("documentId").asText()).toList();
    }

    private static String encoded(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String ids(String... ids) {
        return "[\"" + String.join("\", \"", ids) + "\"]";
    }
}
