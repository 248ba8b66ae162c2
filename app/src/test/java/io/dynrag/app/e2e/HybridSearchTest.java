package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Search modes over HTTP: an exact identifier found by keyword and hybrid search where the vectors
 * rank it poorly; time travel, document versions and deletions the same in every mode; bad options
 * refused with the field named.
 */
@Tag("e2e")
class HybridSearchTest {

    private enum Mode { HYBRID, VECTOR, KEYWORD }

    private TestSystem system;
    private ApiClient api;

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
        api = system.api();
    }

    /** One result as compared across time and modes; scores rounded away from float noise. */
    private record Hit(String documentId, int version, int chunkIndex, String text, double score, Double vectorScore,
                       Double keywordScore) {
    }

    @Test
    void anExactIdentifierIsFoundByKeywordAndHybridWhereVectorsRankItPoorly() {
        String key = system.registerCustomer("Identifier Hunters");
        List<String> monitoring = new ArrayList<>();
        for (String text : List.of(
                "Monitoring PostgreSQL sessions: the server keeps a view of every connection, the query it runs, "
                        + "when it started and what it waits for.",
                "To find which connections hold locks in PostgreSQL, look at the backend processes, their queries "
                        + "and their wait events.",
                "PostgreSQL session monitoring shows idle connections, long running queries and clients waiting "
                        + "on locks.",
                "A database administrator watches the server's connections to spot runaway queries and blocked "
                        + "backends.",
                "Connection pools keep PostgreSQL sessions open; monitoring them shows which queries each "
                        + "backend runs.")) {
            monitoring.add(system.uploadDocument(key, "monitoring-" + monitoring.size() + ".txt", text));
        }
        String bread = system.uploadDocument(key, "sourdough.txt", "Sourdough notes. Feed the starter twice a day "
                + "and keep it warm. While the dough rested, the engineer on call typed pg_stat_activity into a "
                + "terminal before going back to shaping loaves. Bake at 250 degrees with steam for twenty minutes.");
        for (String document : monitoring) {
            system.awaitStatus(key, document, "INDEXED");
        }
        system.awaitStatus(key, bread, "INDEXED");

        String query = "pg_stat_activity";
        List<Hit> vector = hits(search(key, query, Mode.VECTOR, 10, ""));
        List<Hit> keyword = hits(search(key, query, Mode.KEYWORD, 10, ""));
        JsonNode hybridResults = search(key, query, Mode.HYBRID, 10, "").get("results");
        List<Hit> hybrid = hits(hybridResults);

        int vectorRank = ranks(vector).indexOf(bread) + 1;
        System.out.println("rank of the chunk holding '" + query + "': vector " + vectorRank + " of " + vector.size()
                + ", keyword " + (ranks(keyword).indexOf(bread) + 1) + ", hybrid " + (ranks(hybrid).indexOf(bread) + 1));
        assertThat(vectorRank).as("the vectors rank the chunk below text about the same subject").isGreaterThan(1);
        assertThat(keyword).extracting(Hit::documentId).containsExactly(bread);
        assertThat(hybrid.getFirst().documentId()).isEqualTo(bread);
        assertThat(hybrid.getFirst().keywordScore()).isPositive();
        assertThat(hybrid.getFirst().vectorScore()).isNotNull();
        assertThat(hybrid).filteredOn(hit -> !hit.documentId().equals(bread))
                .allSatisfy(hit -> assertThat(hit.keywordScore()).isNull());
        assertThat(hybrid).extracting(Hit::score).isSortedAccordingTo((a, b) -> Double.compare(b, a));
        JsonNode best = hybridResults.get(0);
        JsonNode range = best.get("highlights").get(0);
        assertThat(best.get("text").asText().substring(range.get(0).asInt(), range.get(1).asInt())).isEqualTo(query);
        assertThat(hits(search(key, "stat activity", Mode.KEYWORD, 10, ""))).extracting(Hit::documentId)
                .as("found by its parts too").containsExactly(bread);
        assertThat(hits(search(key, "PostgreSQL connections", Mode.HYBRID, 10, ", \"maxChunksPerDocument\": 1")))
                .extracting(Hit::documentId).doesNotHaveDuplicates();
        assertThat(hits(search(key, query, Mode.VECTOR, 10, ", \"minScore\": 0.99"))).isEmpty();

        for (Mode mode : Mode.values()) {
            long started = System.nanoTime();
            int searches = 20;
            for (int i = 0; i < searches; i++) {
                search(key, query, mode, 10, "");
            }
            System.out.printf("%s: %.1f ms per search over HTTP (mean of %d, %d chunks, query embedding included)%n",
                    mode.name().toLowerCase(), (System.nanoTime() - started) / 1e6 / searches, searches,
                    monitoring.size() + 1);
        }
    }

    @Test
    void pastSearchesVersionsAndDeletionsAreTheSameInEveryMode() {
        String key = system.registerCustomer("Ledger Keepers");
        String nightly = system.uploadDocument(key, "nightly.txt", "The nightly job failed with SQLSTATE 40P01 after "
                + "a deadlock between two updates of the ledger table.");
        String retries = system.uploadDocument(key, "retries.txt", "Retry the transfer when the server reports 40P01 "
                + "deadlock detected; the second attempt usually succeeds.");
        String batches = system.uploadDocument(key, "batches.txt", "Ledger updates are batched every night; each "
                + "batch writes the totals table.");
        for (String document : List.of(nightly, retries, batches)) {
            system.awaitStatus(key, document, "INDEXED");
        }
        String query = "40P01 deadlock";
        Instant first = Instant.now();
        Map<Mode, List<Hit>> atFirst = searchEveryMode(key, query, "");
        assertThat(atFirst.get(Mode.KEYWORD)).extracting(Hit::documentId).containsExactlyInAnyOrder(nightly, retries);

        assertThat(system.uploadVersion(key, nightly, "nightly.txt", "The nightly job now takes row locks in a fixed "
                + "order, so two updates of the ledger table no longer collide.")).isEqualTo(2);
        system.awaitVersionIndexed(key, nightly, 2);
        assertThat(api.delete("/v1/documents/" + retries, key).status()).isEqualTo(202);
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> searchEveryMode(key, query, "").values().stream()
                .flatMap(List::stream).noneMatch(hit -> hit.documentId().equals(retries)));
        Instant second = Instant.now();
        Map<Mode, List<Hit>> atSecond = searchEveryMode(key, query, "");

        assertThat(atSecond.get(Mode.KEYWORD)).as("neither the old version nor the deleted document").isEmpty();
        for (Mode mode : Mode.values()) {
            assertThat(atSecond.get(mode)).as(mode.name()).noneMatch(hit -> hit.documentId().equals(retries)
                    || hit.documentId().equals(nightly) && hit.version() == 1);
            // The past without the document deleted since: deleted means not found, at every instant.
            assertThat(searchEveryMode(key, query, ", \"asOf\": \"" + first + "\"").get(mode)).as(mode.name())
                    .extracting(Hit::documentId, Hit::version)
                    .containsExactlyInAnyOrderElementsOf(atFirst.get(mode).stream()
                            .filter(hit -> !hit.documentId().equals(retries))
                            .map(hit -> org.assertj.core.groups.Tuple.tuple(hit.documentId(), hit.version())).toList());
            assertThat(searchEveryMode(key, query, ", \"asOf\": \"" + second + "\"").get(mode)).as(mode.name())
                    .isEqualTo(atSecond.get(mode));
            List<Hit> firstVersion = hits(search(key, query, mode, 10,
                    ", \"documentId\": \"" + nightly + "\", \"version\": 1"));
            assertThat(firstVersion).as(mode.name()).isNotEmpty()
                    .allSatisfy(hit -> assertThat(hit.text()).contains("SQLSTATE 40P01"))
                    .extracting(Hit::documentId, Hit::version).containsOnly(org.assertj.core.groups.Tuple.tuple(nightly, 1));
        }
    }

    @Test
    void badSearchOptionsAreRefusedNamingTheField() {
        String key = system.registerCustomer("Careless Searcher");
        for (String[] refused : List.of(
                new String[] {"\"mode\": \"fuzzy\"", "'mode'"},
                new String[] {"\"mode\": \"keyword\", \"keywordWeight\": 0.2", "'keywordWeight'"},
                new String[] {"\"keywordWeight\": 1.5", "'keywordWeight'"},
                new String[] {"\"maxChunksPerDocument\": 0", "'maxChunksPerDocument'"})) {
            ApiClient.Response response = api.outsideContract().postJson("/v1/search", key,
                    "{\"query\": \"anything\", " + refused[0] + "}");
            TestSystem.assertProblem(response, 400);
            assertThat(response.json().get("detail").asText()).as(refused[0]).contains(refused[1]);
        }
    }

    private Map<Mode, List<Hit>> searchEveryMode(String key, String query, String moreFields) {
        Map<Mode, List<Hit>> answers = new EnumMap<>(Mode.class);
        for (Mode mode : Mode.values()) {
            answers.put(mode, hits(search(key, query, mode, 5, moreFields)));
        }
        return answers;
    }

    private JsonNode search(String key, String query, Mode mode, int topK, String moreFields) {
        ApiClient.Response response = api.postJson("/v1/search", key, "{\"query\": \"" + query + "\", \"topK\": "
                + topK + ", \"mode\": \"" + mode.name().toLowerCase() + "\"" + moreFields + "}");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private static List<Hit> hits(JsonNode answer) {
        JsonNode results = answer.has("results") ? answer.get("results") : answer;
        List<Hit> hits = new ArrayList<>();
        for (JsonNode result : results) {
            hits.add(new Hit(result.get("documentId").asText(), result.get("version").asInt(),
                    result.get("chunkIndex").asInt(), result.get("text").asText(), rounded(result.get("score")),
                    result.get("vectorScore").isNull() ? null : rounded(result.get("vectorScore")),
                    result.get("keywordScore").isNull() ? null : rounded(result.get("keywordScore"))));
        }
        return hits;
    }

    private static List<String> ranks(List<Hit> hits) {
        return hits.stream().map(Hit::documentId).toList();
    }

    /** The same vectors and rows give the same score up to float noise. */
    private static double rounded(JsonNode score) {
        return Math.round(score.asDouble() * 100_000) / 100_000.0;
    }
}
