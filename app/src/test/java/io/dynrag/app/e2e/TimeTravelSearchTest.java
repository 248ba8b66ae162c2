package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Searching the past: results as of an instant equal what search answered at that instant, without the
 * documents deleted since, and a document version can be searched as it was indexed, after the document
 * changed, until it is deleted.
 */
@Tag("e2e")
class TimeTravelSearchTest {

    private static final String QUERY = "how did the keeper keep the light burning through the night";
    private static final int TOP_K = 8;

    private TestSystem system;
    private ApiClient api;

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
        api = system.api();
    }

    /** One result as compared across time: everything but float noise in the score. */
    private record Hit(String documentId, int version, int chunkIndex, String text, double score) {
    }

    @Test
    void searchAsOfAnInstantAnswersWhatSearchAnsweredThen() {
        Instant beforeAnything = Instant.now();
        String key = system.registerCustomer("Time Travel Archives");
        String guide = system.uploadDocument(key, "lighthouse.md", Corpus.lighthouseGuide());
        String recipes = system.uploadDocument(key, "recipes.txt", Corpus.recipes());
        system.awaitStatus(key, guide, "INDEXED");
        system.awaitStatus(key, recipes, "INDEXED");
        Instant firstIngest = Instant.now();
        List<Hit> atFirstIngest = hits(system.search(key, QUERY, TOP_K));
        assertThat(atFirstIngest).extracting(Hit::documentId).contains(guide, recipes);

        String rewritten = Corpus.lighthouseGuide().replace("filled the reservoir with paraffin",
                "filled the reservoir with colza oil pressed from rapeseed");
        assertThat(newVersion(key, guide, rewritten)).isEqualTo(2);
        awaitVersionIndexed(key, guide, 2);
        Instant afterEdit = Instant.now();
        List<Hit> afterEditing = hits(system.search(key, QUERY, TOP_K));
        assertThat(afterEditing).isNotEqualTo(atFirstIngest);
        assertThat(afterEditing).filteredOn(hit -> hit.documentId().equals(guide))
                .extracting(Hit::version).containsOnly(2);

        assertThat(api.delete("/v1/documents/" + recipes, key).status()).isEqualTo(202);
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> hits(system.search(key, QUERY, TOP_K)).stream()
                .noneMatch(hit -> hit.documentId().equals(recipes)));
        Instant afterDelete = Instant.now();
        List<Hit> afterDeleting = hits(system.search(key, QUERY, TOP_K));
        String more = system.uploadDocument(key, "more.md", Corpus.lighthouseGuide().replace("keeper", "warden"));
        system.awaitStatus(key, more, "INDEXED");
        assertThat(hits(system.search(key, QUERY, TOP_K))).isNotEqualTo(afterDeleting);

        assertThat(pastHits(key, firstIngest)).as("the guide as it was then, without the document deleted since")
                .isNotEmpty().extracting(Hit::documentId, Hit::version).containsOnly(tuple(guide, 1));
        assertThat(pastHits(key, afterEdit)).isNotEmpty().extracting(Hit::documentId, Hit::version)
                .containsOnly(tuple(guide, 2));
        assertThat(pastHits(key, afterDelete)).isEqualTo(afterDeleting);
        assertThat(pastHits(key, beforeAnything)).isEmpty();

        JsonNode past = searchAsOf(key, firstIngest, ", \"documentId\": \"" + guide + "\"");
        assertThat(past.get("datasetVersion").asLong()).isPositive();
        assertThat(hits(past.get("results"))).isNotEmpty().extracting(Hit::documentId).containsOnly(guide);
        TestSystem.assertProblem(search(key, "\"asOf\": \"" + firstIngest + "\", \"documentId\": \"" + recipes
                + "\""), 404);
        ApiClient.Response withinGuide = search(key, "\"documentId\": \"" + guide + "\"");
        assertThat(withinGuide.status()).as(withinGuide.body()).isEqualTo(200);
        assertThat(hits(withinGuide.json().get("results"))).hasSizeGreaterThan(1)
                .extracting(Hit::documentId, Hit::version).containsOnly(tuple(guide, 2));
    }

    @Test
    void aVersionIsSearchedAsItWasIndexedUntilTheDocumentIsDeleted() {
        String key = system.registerCustomer("Version Search Ltd");
        String guide = system.uploadDocument(key, "lighthouse.md", Corpus.lighthouseGuide());
        system.awaitStatus(key, guide, "INDEXED");
        String rewritten = Corpus.lighthouseGuide().replace("Fog signals", "Foghorns and bells")
                .replace("filled the reservoir with paraffin", "filled the reservoir with whale oil");
        newVersion(key, guide, rewritten);
        awaitVersionIndexed(key, guide, 2);

        JsonNode first = versionSearch(key, guide, 1);
        assertThat(hits(first.get("results"))).isNotEmpty().allSatisfy(hit -> {
            assertThat(hit.documentId()).isEqualTo(guide);
            assertThat(hit.version()).isEqualTo(1);
            assertThat(hit.text()).doesNotContain("whale oil");
        });
        assertThat(first.get("results").toString()).contains("paraffin");
        JsonNode second = versionSearch(key, guide, 2);
        assertThat(hits(second.get("results"))).isNotEmpty().extracting(Hit::version).containsOnly(2);
        assertThat(second.get("results").toString()).contains("whale oil").doesNotContain("paraffin");
        assertThat(second.get("datasetVersion").asLong()).isGreaterThan(first.get("datasetVersion").asLong());

        assertThat(api.delete("/v1/documents/" + guide, key).status()).isEqualTo(202);
        TestSystem.assertProblem(search(key, "\"documentId\": \"" + guide + "\", \"version\": 1"), 404);
    }

    @Test
    void badTimeTravelRequestsAreRefusedClearly() {
        String key = system.registerCustomer("Careless Historian");
        String other = system.registerCustomer("Someone Else");
        String guide = system.uploadDocument(key, "lighthouse.md", Corpus.lighthouseGuide());
        system.awaitStatus(key, guide, "INDEXED");
        String scanned = system.uploadDocument(key, "scan.pdf", Corpus.pdfWithoutText());
        system.awaitStatus(key, scanned, "FAILED");

        TestSystem.assertProblem(api.outsideContract().postJson("/v1/search", key, "{\"query\": \"" + QUERY
                + "\", \"asOf\": \"yesterday\"}"), 400);
        TestSystem.assertProblem(search(key, "\"version\": 1"), 400);
        TestSystem.assertProblem(search(key, "\"documentId\": \"" + guide + "\", \"version\": 1, \"asOf\": \""
                + Instant.now() + "\""), 400);
        TestSystem.assertProblem(search(key, "\"documentId\": \"" + guide + "\", \"version\": 7"), 404);
        TestSystem.assertProblem(search(other, "\"documentId\": \"" + guide + "\", \"version\": 1"), 404);
        TestSystem.assertProblem(search(other, "\"documentId\": \"" + guide + "\""), 404);
        TestSystem.assertProblem(search(key, "\"documentId\": \"../../etc\""), 404);
        ApiClient.Response failed = search(key, "\"documentId\": \"" + scanned + "\", \"version\": 1");
        TestSystem.assertProblem(failed, 409);
        assertThat(failed.json().get("detail").asText()).contains("FAILED");
        assertThat(hits(search(other, "\"asOf\": \"" + Instant.now() + "\"").json().get("results")))
                .as("another tenant's past holds none of this customer's documents").isEmpty();
    }

    private int newVersion(String key, String documentId, String text) {
        return system.uploadVersion(key, documentId, "lighthouse.md", text);
    }

    private void awaitVersionIndexed(String key, String documentId, int version) {
        system.awaitVersionIndexed(key, documentId, version);
    }

    private ApiClient.Response search(String key, String fields) {
        return api.postJson("/v1/search", key, "{\"query\": \"" + QUERY + "\", \"topK\": " + TOP_K + ", " + fields
                + "}");
    }

    private JsonNode searchAsOf(String key, Instant at, String moreFields) {
        ApiClient.Response response = search(key, "\"asOf\": \"" + at + "\"" + moreFields);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private List<Hit> pastHits(String key, Instant at) {
        return hits(searchAsOf(key, at, "").get("results"));
    }

    private JsonNode versionSearch(String key, String documentId, int version) {
        ApiClient.Response response = search(key, "\"documentId\": \"" + documentId + "\", \"version\": " + version);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().get("model").asText()).isNotBlank();
        return response.json();
    }

    /** Scores are rounded to 5 decimals: the same vectors give the same score up to float noise. */
    private static List<Hit> hits(JsonNode results) {
        List<Hit> hits = new ArrayList<>();
        for (JsonNode result : results) {
            hits.add(new Hit(result.get("documentId").asText(), result.get("version").asInt(),
                    result.get("chunkIndex").asInt(), result.get("text").asText(),
                    Math.round(result.get("score").asDouble() * 100_000) / 100_000.0));
        }
        return hits;
    }
}
