package io.dynrag.vectorstore;

import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.search.ChunkMatch;
import io.dynrag.vectorstore.search.IndexSearch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Searches within a set of documents return the true top k of that set's rows however few rows it
 * keeps: compared one by one, or found by asking the vector index for more neighbours.
 */
class FilteredSearchTest {

    private static final String TENANT = "tenant-f";
    private static final String MODEL = "all-minilm-l6-v2";
    private static final int DIMENSIONS = 16;
    private static final int DOCUMENTS = 40;
    private static final int ROWS_PER_DOCUMENT = 50;
    private static final int K = 10;

    @TempDir
    Path lanceRoot;

    private final Random random = new Random(42);
    private final Map<String, float[]> vectors = new HashMap<>();
    private LanceChunkStore store;

    @BeforeEach
    void writeDocuments() {
        store = new LanceChunkStore(lanceRoot);
        for (int d = 0; d < DOCUMENTS; d++) {
            String documentId = "doc-" + d;
            List<ChunkRow> rows = new ArrayList<>();
            for (int i = 0; i < ROWS_PER_DOCUMENT; i++) {
                float[] vector = randomVector();
                vectors.put(documentId + "#" + i, vector);
                String text = documentId + " chunk " + i;
                rows.add(new ChunkRow(documentId, 1, i, text, 3, Integer.toHexString(text.hashCode()), 0,
                        text.length(), i % 3 == 0 ? null : i, MODEL, vector));
            }
            store.replaceDocument(TENANT, MODEL, documentId, rows);
        }
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aFilterKeepingFewRowsReturnsTheirExactTopKWithTexts() {
        for (Set<String> documents : List.of(Set.of("doc-7"), documents(0, 4), documents(10, 30))) {
            for (int q = 0; q < 5; q++) {
                float[] query = randomVector();
                List<ChunkMatch> hits = store.search(TENANT, MODEL, query, K, SearchScope.LATEST.onlyDocuments(documents));
                assertThat(keys(hits)).as("within %s", documents).containsExactlyElementsOf(exactTopK(query, documents));
                for (ChunkMatch hit : hits) {
                    assertThat(hit.text()).isEqualTo(hit.documentId() + " chunk " + hit.chunkIndex());
                    assertThat(hit.page()).isEqualTo(hit.chunkIndex() % 3 == 0 ? null : hit.chunkIndex());
                    assertThat(hit.docVersion()).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void scoresAreTheCosineSimilaritiesTheUnfilteredSearchReports() {
        float[] query = randomVector();
        List<ChunkMatch> unfiltered = store.search(TENANT, MODEL, query, K);
        List<ChunkMatch> everyDocument = store.search(TENANT, MODEL, query, K,
                SearchScope.LATEST.onlyDocuments(documents(0, DOCUMENTS)));
        assertThat(keys(everyDocument)).containsExactlyElementsOf(keys(unfiltered));
        for (int i = 0; i < K; i++) {
            assertThat(everyDocument.get(i).score()).isCloseTo(unfiltered.get(i).score(), within(1e-5));
        }
    }

    @Test
    void withAVectorIndexEveryWayReturnsKRowsOfTheFilter() {
        store.buildVectorIndex(TENANT, MODEL);
        // Every partition probed and every candidate re-ranked exactly: the index's own answers are exact,
        // so asking it for more neighbours must give the exact top k of the filtered rows too.
        IndexSearch thorough = new IndexSearch(64, 1_000, 0);
        try (LanceChunkStore overFetching = new LanceChunkStore(LanceLocation.local(lanceRoot), thorough)) {
            for (Set<String> documents : List.of(Set.of("doc-3"), documents(0, 2), documents(5, 25))) {
                float[] query = randomVector();
                SearchScope scope = SearchScope.LATEST.onlyDocuments(documents).excluding(Set.of("doc-5"));
                Set<String> kept = new HashSet<>(documents);
                kept.remove("doc-5");
                List<String> exact = exactTopK(query, kept);
                assertThat(keys(store.search(TENANT, MODEL, query, K, scope)))
                        .as("compared one by one").containsExactlyElementsOf(exact);
                assertThat(keys(overFetching.search(TENANT, MODEL, query, K, scope)))
                        .as("the index asked for more").containsExactlyElementsOf(exact);
            }
        }
    }

    @Test
    void filteredSearchesFollowEveryWriteAndReadPastVersionsAsTheyWere() {
        float[] query = randomVector();
        Set<String> filter = Set.of("doc-1", "doc-2", "doc-3");
        long before = store.latestVersion(TENANT, MODEL).orElseThrow();
        List<String> then = exactTopK(query, filter);
        assertThat(keys(store.search(TENANT, MODEL, query, K, SearchScope.LATEST.onlyDocuments(filter))))
                .containsExactlyElementsOf(then);

        // doc-1 shrinks to 3 new rows, doc-2 goes: the search of now sees only what is left.
        List<ChunkRow> shrunk = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            float[] vector = randomVector();
            String text = "doc-1 chunk " + i;
            shrunk.add(new ChunkRow("doc-1", 2, i, text, 3, "new" + i, 0, text.length(), null, MODEL, vector));
        }
        vectors.keySet().removeIf(key -> key.startsWith("doc-1#") || key.startsWith("doc-2#"));
        for (ChunkRow row : shrunk) {
            vectors.put("doc-1#" + row.chunkIndex(), row.vector());
        }
        store.replaceDocument(TENANT, MODEL, "doc-1", shrunk);
        store.removeDocument(TENANT, "doc-2");
        assertThat(keys(store.search(TENANT, MODEL, query, K, SearchScope.LATEST.onlyDocuments(filter))))
                .containsExactlyElementsOf(exactTopK(query, filter));
        assertThat(store.search(TENANT, MODEL, query, 100, SearchScope.LATEST.onlyDocuments(Set.of("doc-1"))))
                .extracting(ChunkMatch::docVersion).containsOnly(2).hasSize(3);

        assertThat(keys(store.search(TENANT, MODEL, query, K,
                SearchScope.LATEST.atVersion(before).onlyDocuments(filter))))
                .as("the version before the writes").containsExactlyElementsOf(then);
    }

    @Test
    void rowsComparedFromMemoryAndFromStorageGiveTheSameHits() throws InterruptedException {
        IndexSearch fromStorage = new IndexSearch(IndexSearch.DEFAULT.probes(), IndexSearch.DEFAULT.refineFactor(),
                IndexSearch.DEFAULT_FILTERED_EXACT_ROWS, 0);
        try (LanceChunkStore readingStorage = new LanceChunkStore(LanceLocation.local(lanceRoot), fromStorage)) {
            for (int round = 0; round < 2; round++) {
                for (Set<String> documents : List.of(Set.of("doc-3"), documents(0, 4), documents(10, 30))) {
                    float[] query = randomVector();
                    SearchScope scope = SearchScope.LATEST.onlyDocuments(documents);
                    List<ChunkMatch> expected = readingStorage.search(TENANT, MODEL, query, K, scope);
                    // The first search of rows not held reads them from storage and starts reading them into memory.
                    assertThat(store.search(TENANT, MODEL, query, K, scope))
                            .usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(expected);
                    store.awaitVectorReads();
                    List<ChunkMatch> inMemory = store.search(TENANT, MODEL, query, K, scope);
                    assertThat(inMemory).usingRecursiveFieldByFieldElementComparator()
                            .containsExactlyElementsOf(expected);
                    assertThat(keys(inMemory)).containsExactlyElementsOf(exactTopK(query, documents));
                }
                // Between the rounds, a document is replaced: its rows leave the fragment held in memory.
                List<ChunkRow> replaced = new ArrayList<>();
                vectors.keySet().removeIf(key -> key.startsWith("doc-3#"));
                for (int i = 0; i < 2; i++) {
                    float[] vector = randomVector();
                    vectors.put("doc-3#" + i, vector);
                    String text = "doc-3 chunk " + i + " again";
                    replaced.add(new ChunkRow("doc-3", 2, i, text, 4, "again" + i, 0, text.length(), null, MODEL,
                            vector));
                }
                store.replaceDocument(TENANT, MODEL, "doc-3", replaced);
            }
        }
    }

    @Test
    void filtersKeepingNothingFindNothing() {
        float[] query = randomVector();
        assertThat(store.search(TENANT, MODEL, query, K, SearchScope.LATEST.onlyDocuments(Set.of()))).isEmpty();
        assertThat(store.search(TENANT, MODEL, query, K, SearchScope.LATEST.onlyDocuments(Set.of("unknown", "o'brien"))))
                .isEmpty();
        assertThat(store.search(TENANT, MODEL, query, K,
                SearchScope.LATEST.onlyDocuments(Set.of("doc-1")).excluding(Set.of("doc-1")))).isEmpty();
        assertThat(store.search(TENANT, MODEL, query, K,
                SearchScope.LATEST.onlyDocuments(Set.of("doc-1", "doc-2")).onlyDocuments(Set.of("doc-2", "doc-3"))))
                .extracting(ChunkMatch::documentId).containsOnly("doc-2").hasSize(K);
    }

    private static Set<String> documents(int from, int to) {
        Set<String> documents = new HashSet<>();
        for (int d = from; d < to; d++) {
            documents.add("doc-" + d);
        }
        return documents;
    }

    private List<String> exactTopK(float[] query, Set<String> documents) {
        return vectors.entrySet().stream()
                .filter(entry -> documents.contains(entry.getKey().substring(0, entry.getKey().indexOf('#'))))
                .sorted(Comparator.comparingDouble((Map.Entry<String, float[]> entry) -> cosine(query, entry.getValue()))
                        .reversed())
                .limit(K)
                .map(Map.Entry::getKey)
                .toList();
    }

    private static List<String> keys(List<ChunkMatch> hits) {
        return hits.stream().map(hit -> hit.documentId() + "#" + hit.chunkIndex()).toList();
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            normA += a[i] * a[i];
            normB += b[i] * b[i];
        }
        return dot / Math.sqrt(normA * normB);
    }

    private float[] randomVector() {
        float[] vector = new float[DIMENSIONS];
        for (int i = 0; i < DIMENSIONS; i++) {
            vector[i] = (float) random.nextGaussian();
        }
        return vector;
    }
}
