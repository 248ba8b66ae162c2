package io.dynrag.vectorstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import com.lancedb.lance.Dataset;
import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.dataset.WriterFence;
import io.dynrag.vectorstore.index.VectorIndexer;
import io.dynrag.vectorstore.search.ChunkMatch;
import io.dynrag.vectorstore.write.ChunkWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LanceChunkStoreTest {

    private static final int DIMENSIONS = 8;
    private static final String MODEL = "all-minilm-l6-v2";

    @TempDir
    Path lanceRoot;

    private LanceChunkStore store;

    @BeforeEach
    void openStore() {
        store = new LanceChunkStore(lanceRoot);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void createsTheDatasetAndFindsNearestChunksBestFirst() {
        List<ChunkRow> rows = rows("doc-1", 1, 5, "first");

        long version = store.replaceDocument("tenant-a", MODEL, "doc-1", rows);

        assertThat(datasetPath("tenant-a")).isDirectory();
        assertThat(store.latestVersion("tenant-a", MODEL)).hasValue(version);
        List<ChunkMatch> matches = store.search("tenant-a", MODEL, rows.get(3).vector(), 3);
        assertThat(matches).hasSize(3);
        assertThat(matches.getFirst()).satisfies(best -> {
            assertThat(best.documentId()).isEqualTo("doc-1");
            assertThat(best.docVersion()).isEqualTo(1);
            assertThat(best.chunkIndex()).isEqualTo(3);
            assertThat(best.text()).isEqualTo("first chunk 3");
            assertThat(best.score()).isCloseTo(1.0, within(1e-5));
        });
        assertThat(matches).extracting(ChunkMatch::score).isSortedAccordingTo((a, b) -> Double.compare(b, a));
        assertThat(matches.get(1).score()).isLessThan(0.999);
        assertThat(store.search("tenant-a", MODEL, rows.get(0).vector(), 50)).hasSize(5);
    }

    @Test
    void storesEveryColumnAsGiven() {
        ChunkRow withPage = new ChunkRow("doc-1", 7, 0, "text with ünïcödé and 東京 🙂", 12, "hash-0", 10, 42, 3,
                MODEL, vector(0));
        ChunkRow withoutPage = new ChunkRow("doc-1", 7, 1, "second", 1, "hash-1", 43, 49, null, MODEL, vector(1));

        store.replaceDocument("tenant-a", MODEL, "doc-1", List.of(withoutPage, withPage));

        assertThat(store.documentRows("tenant-a", MODEL, "doc-1")).containsExactly(withPage, withoutPage);
        assertThat(store.vectorsByContentHash("tenant-a", MODEL, "doc-1"))
                .containsOnlyKeys("hash-0", "hash-1")
                .hasEntrySatisfying("hash-1", stored -> assertThat(stored).isEqualTo(vector(1)));
    }

    @Test
    void replacingADocumentUpdatesInsertsAndDeletesInOneNewVersion() {
        long first = store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", 1, 5, "old"));
        List<ChunkRow> other = rows("doc-2", 1, 2, "other");
        store.replaceDocument("tenant-a", MODEL, "doc-2", other);
        List<ChunkRow> replacement = rows("doc-1", 2, 3, "new");

        long replaced = store.replaceDocument("tenant-a", MODEL, "doc-1", replacement);

        assertThat(replaced).isEqualTo(first + 2);
        assertThat(store.documentRows("tenant-a", MODEL, "doc-1")).containsExactlyElementsOf(replacement);
        assertThat(store.documentRows("tenant-a", MODEL, "doc-2")).containsExactlyElementsOf(other);
        assertThat(store.search("tenant-a", MODEL, vector(0), 100)).hasSize(5)
                .filteredOn(match -> match.documentId().equals("doc-1"))
                .allSatisfy(match -> assertThat(match.text()).startsWith("new"));
    }

    @Test
    void replayingTheSameReplacementLeavesTheSameRows() {
        List<ChunkRow> rows = rows("doc-1", 1, 4, "same");

        long first = store.replaceDocument("tenant-a", MODEL, "doc-1", rows);
        long second = store.replaceDocument("tenant-a", MODEL, "doc-1", rows);

        assertThat(second).isGreaterThan(first);
        assertThat(store.documentRows("tenant-a", MODEL, "doc-1")).containsExactlyElementsOf(rows);
        assertThat(store.search("tenant-a", MODEL, vector(1), 100)).hasSize(4);
    }

    @Test
    void anOlderVersionOfADocumentNeverReplacesANewerOne() {
        store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", 1, 2, "first"));
        long newer = store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", 3, 4, "third"));

        // A pipeline instance that lost the document to another finishes its older version late.
        long late = store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", 2, 3, "second"));

        assertThat(late).isEqualTo(newer);
        assertThat(store.latestVersion("tenant-a", MODEL)).hasValue(newer);
        assertThat(store.documentRows("tenant-a", MODEL, "doc-1")).extracting(ChunkRow::docVersion).containsOnly(3)
                .hasSize(4);
        assertThat(store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", 3, 1, "again"))).isGreaterThan(newer);
        assertThat(store.replaceDocument("tenant-a", MODEL, "doc-1", List.of())).isGreaterThan(newer + 1);
        assertThat(store.documentRows("tenant-a", MODEL, "doc-1")).isEmpty();
    }

    @Test
    void emptyRowsDeleteOnlyThatDocument() {
        store.replaceDocument("tenant-a", MODEL, "it's mine", rows("it's mine", 1, 3, "quoted"));
        store.replaceDocument("tenant-a", MODEL, "its", rows("its", 1, 2, "unquoted"));

        store.replaceDocument("tenant-a", MODEL, "it's mine", List.of());

        assertThat(store.documentRows("tenant-a", MODEL, "it's mine")).isEmpty();
        assertThat(store.documentRows("tenant-a", MODEL, "its")).hasSize(2);
        assertThat(store.vectorsByContentHash("tenant-a", MODEL, "it's mine")).isEmpty();
    }

    @Test
    void removingADocumentLeavesEveryDatasetHoldingItInANewVersionAndTouchesNoOther() {
        ChunkRow wide = new ChunkRow("doc-1", 1, 0, "wide", 1, "h", 0, 4, null, "wide-model", new float[] {1, 0});
        long narrowBefore = store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", 1, 2, "narrow"));
        store.replaceDocument("tenant-a", MODEL, "doc-2", rows("doc-2", 1, 2, "kept"));
        long wideBefore = store.replaceDocument("tenant-a", "wide-model", "doc-1", List.of(wide));
        long untouched = store.replaceDocument("tenant-a", "other-model", "doc-3",
                List.of(new ChunkRow("doc-3", 1, 0, "other", 1, "h", 0, 5, null, "other-model", new float[] {0, 1})));

        long removed = store.removeDocument("tenant-a", "doc-1");

        assertThat(store.documentRows("tenant-a", MODEL, "doc-1")).isEmpty();
        assertThat(store.documentRows("tenant-a", "wide-model", "doc-1")).isEmpty();
        assertThat(store.documentRows("tenant-a", MODEL, "doc-2")).hasSize(2);
        assertThat(store.latestVersion("tenant-a", "other-model")).as("a dataset without the document")
                .hasValue(untouched);
        assertThat(removed).isEqualTo(Math.max(store.latestVersion("tenant-a", MODEL).orElseThrow(),
                store.latestVersion("tenant-a", "wide-model").orElseThrow()));
        assertThat(store.documentRowsAsOf("tenant-a", MODEL, "doc-1", narrowBefore)).hasSize(2);
        assertThat(store.documentRowsAsOf("tenant-a", "wide-model", "doc-1", wideBefore)).containsExactly(wide);
        assertThat(store.removeDocument("tenant-a", "doc-1")).as("nothing left to remove").isZero();
        assertThat(store.removeDocument("tenant-c", "doc-1")).isZero();
    }

    @Test
    void tenantsAreIsolated() {
        store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", 1, 3, "alpha"));
        store.replaceDocument("tenant-b", MODEL, "doc-1", rows("doc-1", 1, 2, "beta"));

        assertThat(store.search("tenant-a", MODEL, vector(0), 10)).hasSize(3)
                .allSatisfy(match -> assertThat(match.text()).startsWith("alpha"));
        assertThat(store.search("tenant-b", MODEL, vector(0), 10)).hasSize(2)
                .allSatisfy(match -> assertThat(match.text()).startsWith("beta"));
        assertThat(store.search("tenant-c", MODEL, vector(0), 10)).isEmpty();
        assertThat(store.latestVersion("tenant-c", MODEL)).isEmpty();
        assertThat(store.vectorsByContentHash("tenant-c", MODEL, "doc-1")).isEmpty();
        assertThat(store.documentRows("tenant-c", MODEL, "doc-1")).isEmpty();
        assertThat(lanceRoot.resolve("tenant-c")).doesNotExist();
    }

    @Test
    void oldVersionsStayReadableBecauseAutoCleanupIsOff() throws Exception {
        List<ChunkRow> original = rows("doc-1", 1, 3, "original");
        long originalVersion = store.replaceDocument("tenant-a", MODEL, "doc-1", original);
        for (int edit = 2; edit <= 26; edit++) {
            store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", edit, 3, "edit " + edit));
        }

        assertThat(store.latestVersion("tenant-a", MODEL)).hasValue(originalVersion + 25);
        assertThat(store.documentRowsAsOf("tenant-a", MODEL, "doc-1", originalVersion))
                .containsExactlyElementsOf(original);
        assertThat(store.search("tenant-a", MODEL, vector(2), 1, SearchScope.LATEST.atVersion(originalVersion)))
                .extracting(ChunkMatch::text).containsExactly("original chunk 2");
        assertThat(store.documentRows("tenant-a", MODEL, "doc-1"))
                .allSatisfy(row -> assertThat(row.text()).startsWith("edit 26"));
        try (RootAllocator allocator = new RootAllocator();
                Dataset dataset = Dataset.open(datasetPath("tenant-a").toString(), allocator)) {
            assertThat(dataset.getConfig()).doesNotContainKeys("lance.auto_cleanup.interval",
                    "lance.auto_cleanup.older_than");
            assertThat(dataset.listVersions()).hasSizeGreaterThanOrEqualTo(27);
        }
        try (var versions = Files.list(datasetPath("tenant-a").resolve("_versions"))) {
            assertThat(versions.count()).isGreaterThanOrEqualTo(27);
        }
    }

    @Test
    void listsEveryKeptVersionAndCountsEachDocumentsRowsAsOfOne() {
        long first = store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", 1, 3, "one"));
        long second = store.replaceDocument("tenant-a", MODEL, "doc-2", rows("doc-2", 1, 2, "two"));
        long third = store.replaceDocument("tenant-a", MODEL, "doc-1", List.of());

        assertThat(store.versions("tenant-a", MODEL)).contains(first, second, third).isSorted()
                .endsWith(third);
        assertThat(store.rowsPerDocumentAsOf("tenant-a", MODEL, second)).containsExactly(
                Map.entry("doc-1", 3), Map.entry("doc-2", 2));
        assertThat(store.rowsPerDocumentAsOf("tenant-a", MODEL, third)).containsExactly(
                Map.entry("doc-2", 2));
        assertThat(store.versions("tenant-c", MODEL)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", ".", "", "../escape", "a/b", "a\\b", "tenant a", "tenant%2F", "ténant"})
    void rejectsIdsThatCouldLeaveTheTenantDirectory(String unsafe) {
        List<ChunkRow> rows = rows("doc-1", 1, 1, "x");

        assertThatThrownBy(() -> store.replaceDocument(unsafe, MODEL, "doc-1", rows))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("customer id");
        assertThatThrownBy(() -> store.search(unsafe, MODEL, vector(0), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.latestVersion("tenant-a", unsafe))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model id");
        assertThat(lanceRoot.getParent().resolve("escape")).doesNotExist();
    }

    @Test
    void rejectsQueriesAndRowsThatDoNotFit() {
        store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", 1, 2, "x"));
        ChunkRow shortVector = new ChunkRow("doc-1", 1, 0, "t", 1, "h", 0, 1, null, MODEL, new float[3]);
        ChunkRow otherModel = new ChunkRow("doc-1", 1, 0, "t", 1, "h", 0, 1, null, "other-model", vector(0));

        float[] tooLong = new float[DIMENSIONS + 1];
        tooLong[0] = 1;
        assertThatThrownBy(() -> store.search("tenant-a", MODEL, tooLong, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("9 dimensions");
        assertThatThrownBy(() -> store.search("tenant-a", MODEL, new float[DIMENSIONS], 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zero");
        assertThatThrownBy(() -> store.search("tenant-a", MODEL, vector(0), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.replaceDocument("tenant-a", MODEL, "doc-1", List.of(shortVector)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 dimensions");
        assertThatThrownBy(() -> store.replaceDocument("tenant-a", MODEL, "doc-1", List.of(otherModel)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other-model");
        assertThatThrownBy(() -> store.replaceDocument("tenant-a", MODEL, "doc-2", rows("doc-1", 1, 1, "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("doc-1");
        List<ChunkRow> duplicate = List.of(rows("doc-1", 1, 1, "a").getFirst(), rows("doc-1", 1, 1, "b").getFirst());
        assertThatThrownBy(() -> store.replaceDocument("tenant-a", MODEL, "doc-1", duplicate))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        assertThat(store.documentRows("tenant-a", MODEL, "doc-1")).hasSize(2);
    }

    @Test
    void eachModelsDatasetKeepsTheVectorWidthOfItsFirstWrite() {
        store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", 1, 1, "x"));
        float[] wide = new float[DIMENSIONS * 2];
        wide[0] = 1;
        ChunkRow wideRow = new ChunkRow("doc-2", 1, 0, "t", 1, "h", 0, 1, null, MODEL, wide);

        assertThatThrownBy(() -> store.replaceDocument("tenant-a", MODEL, "doc-2", List.of(wideRow)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds 8");
        assertThatThrownBy(() -> store.search("tenant-a", MODEL, wide, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 8");

        ChunkRow otherModelRow = new ChunkRow("doc-2", 1, 0, "t", 1, "h", 0, 1, null, "wide-model", wide);
        store.replaceDocument("tenant-a", "wide-model", "doc-2", List.of(otherModelRow));
        assertThat(store.search("tenant-a", "wide-model", wide, 1)).extracting(ChunkMatch::documentId)
                .containsExactly("doc-2");
        assertThat(store.search("tenant-a", MODEL, vector(0), 1)).extracting(ChunkMatch::documentId)
                .containsExactly("doc-1");
    }

    @Test
    void searchesRunWhileADocumentIsReplacedAndSeeWholeVersions() throws Exception {
        store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", 1, 6, "v1"));
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            Future<?> writer = threads.submit(() -> {
                for (int version = 2; version <= 12; version++) {
                    store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", version, 6, "v" + version));
                }
                writing.set(false);
            });
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(threads.submit(() -> {
                    int searches = 0;
                    while (writing.get() || searches == 0) {
                        List<ChunkMatch> matches = store.search("tenant-a", MODEL, vector(searches % 6), 10);
                        assertThat(matches).hasSize(6);
                        assertThat(matches).extracting(ChunkMatch::docVersion)
                                .containsOnly(matches.getFirst().docVersion());
                        searches++;
                    }
                    return searches;
                }));
            }
            writer.get(60, TimeUnit.SECONDS);
            for (Future<Integer> reader : readers) {
                assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(store.documentRows("tenant-a", MODEL, "doc-1")).extracting(ChunkRow::docVersion).containsOnly(12);
    }

    @Test
    void searchesKeepTheirHandleOpenYetSeeEveryCommitOfThisOrAnotherWriter() {
        store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", 1, 3, "first"));
        assertThat(store.search("tenant-a", MODEL, vector(0), 10)).extracting(ChunkMatch::documentId)
                .containsOnly("doc-1");

        store.replaceDocument("tenant-a", MODEL, "doc-2", rows("doc-2", 1, 2, "second"));
        assertThat(store.search("tenant-a", MODEL, vector(0), 10)).extracting(ChunkMatch::documentId)
                .containsOnly("doc-1", "doc-2").hasSize(5);

        // Another process writing to the same dataset: its commit is seen by the next search.
        try (LanceChunkStore otherProcess = new LanceChunkStore(lanceRoot)) {
            otherProcess.replaceDocument("tenant-a", MODEL, "doc-1", List.of());
        }
        assertThat(store.search("tenant-a", MODEL, vector(0), 10)).extracting(ChunkMatch::documentId)
                .containsOnly("doc-2").hasSize(2);
    }

    @Test
    void aDroppedTenantsSearchesDoNotSeeItsOldDatasetWhenItComesBack() {
        store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", 1, 3, "old"));
        assertThat(store.search("tenant-a", MODEL, vector(0), 10)).hasSize(3);

        assertThat(store.dropTenant("tenant-a")).isTrue();
        assertThat(store.search("tenant-a", MODEL, vector(0), 10)).isEmpty();

        store.replaceDocument("tenant-a", MODEL, "doc-9", rows("doc-9", 1, 2, "new"));
        assertThat(store.search("tenant-a", MODEL, vector(0), 10)).extracting(ChunkMatch::text)
                .containsExactlyInAnyOrder("new chunk 0", "new chunk 1");
    }

    @Test
    void scopedSearchFiltersBeforeChoosingTheNearestRows() {
        store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", 1, 3, "one"));
        long bothDocuments = store.replaceDocument("tenant-a", MODEL, "doc-2", rows("doc-2", 1, 3, "two"));
        store.replaceDocument("tenant-a", MODEL, "doc-3", rows("doc-3", 1, 3, "three"));

        // doc-2 and doc-3 hold rows as near as doc-1's: unfiltered, k=2 could return none of doc-1.
        assertThat(store.search("tenant-a", MODEL, vector(1), 2, SearchScope.LATEST.onlyDocument("doc-1")))
                .extracting(ChunkMatch::documentId, ChunkMatch::chunkIndex)
                .containsExactly(tuple("doc-1", 1), tuple("doc-1", 0));
        assertThat(store.search("tenant-a", MODEL, vector(1), 3,
                SearchScope.LATEST.excluding(Set.of("doc-1", "doc-3"))))
                .extracting(ChunkMatch::documentId).containsOnly("doc-2").hasSize(3);
        assertThat(store.search("tenant-a", MODEL, vector(1), 9, SearchScope.LATEST.atVersion(bothDocuments)))
                .extracting(ChunkMatch::documentId).containsOnly("doc-1", "doc-2").hasSize(6);
        assertThat(store.search("tenant-a", MODEL, vector(1), 9,
                SearchScope.LATEST.atVersion(bothDocuments).onlyDocument("doc-3"))).isEmpty();
        assertThat(store.search("tenant-a", MODEL, vector(1), 9, SearchScope.LATEST.onlyDocument("it's"))).isEmpty();
    }

    @Test
    void manyWritesAreCompactedIntoFewFragmentsWithoutChangingRowsOrHistory() throws Exception {
        long firstVersion = store.replaceDocument("tenant-a", MODEL, "doc-0", rows("doc-0", 1, 3, "doc 0"));
        int documents = ChunkWriter.COMPACT_AT_FRAGMENTS + 6;
        for (int d = 1; d < documents; d++) {
            store.replaceDocument("tenant-a", MODEL, "doc-" + d, rows("doc-" + d, 1, 3, "doc " + d));
        }
        store.replaceDocument("tenant-a", MODEL, "doc-0", rows("doc-0", 2, 2, "doc 0 edited"));

        try (RootAllocator allocator = new RootAllocator();
                Dataset dataset = Dataset.open(datasetPath("tenant-a").toString(), allocator)) {
            assertThat(dataset.getFragments()).hasSizeLessThan(ChunkWriter.COMPACT_AT_FRAGMENTS);
            assertThat(dataset.countRows(WriterFence.NOT_FENCE)).isEqualTo(3L * (documents - 1) + 2);
        }
        assertThat(store.documentRows("tenant-a", MODEL, "doc-0")).extracting(ChunkRow::docVersion).containsOnly(2);
        assertThat(store.documentRows("tenant-a", MODEL, "doc-" + (documents - 1))).hasSize(3);
        assertThat(store.documentRowsAsOf("tenant-a", MODEL, "doc-0", firstVersion))
                .as("versions before the compaction stay readable").extracting(ChunkRow::text)
                .containsExactly("doc 0 chunk 0", "doc 0 chunk 1", "doc 0 chunk 2");
    }

    @Test
    void aVectorIndexIsBuiltInTheBackgroundOnceADatasetIsLargeAndSearchStillFindsTheNearest() throws Exception {
        try (VectorIndexer indexer = new VectorIndexer(store, LanceChunkStore.MIN_INDEXED_ROWS)) {
            store.replaceDocument("tenant-a", MODEL, "small", rows("small", 1, 5, "small"));
            indexer.afterWrite("tenant-a", MODEL);
            for (int d = 0; d < 3; d++) {
                List<ChunkRow> rows = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    String text = "bulk " + d + " chunk " + i;
                    rows.add(new ChunkRow("bulk-" + d, 1, i, text, 3, "hash-" + d + "-" + i, 0, text.length(), null,
                            MODEL, noisy(i + 1000 * d)));
                }
                store.replaceDocument("tenant-a", MODEL, "bulk-" + d, rows);
            }
            assertThat(store.hasVectorIndex("tenant-a", MODEL)).as("not yet: the check runs after a write").isFalse();

            indexer.afterWrite("tenant-a", MODEL);

            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!store.hasVectorIndex("tenant-a", MODEL) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(store.hasVectorIndex("tenant-a", MODEL)).isTrue();
        }
        assertThat(store.rowCount("tenant-a", MODEL)).isEqualTo(1_205);
        assertThat(store.search("tenant-a", MODEL, vector(3), 1)).extracting(ChunkMatch::documentId)
                .containsExactly("small");
        assertThat(store.search("tenant-a", MODEL, vector(3), 3, SearchScope.LATEST.onlyDocument("bulk-1")))
                .as("filtered searches stay exact").extracting(ChunkMatch::documentId).containsOnly("bulk-1");
    }

    @Test
    void aVectorIndexNeedsEnoughRows() {
        store.replaceDocument("tenant-a", MODEL, "small", rows("small", 1, 5, "small"));

        assertThatThrownBy(() -> store.buildVectorIndex("tenant-a", MODEL))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("at least");
    }

    /** Random unit vectors away from the axes {@link #vector} points along. */
    private static float[] noisy(int seed) {
        Random random = new Random(seed);
        float[] vector = new float[DIMENSIONS];
        double norm = 0;
        for (int d = 0; d < DIMENSIONS; d++) {
            vector[d] = (float) random.nextGaussian();
            norm += vector[d] * vector[d];
        }
        for (int d = 0; d < DIMENSIONS; d++) {
            vector[d] /= (float) Math.sqrt(norm);
        }
        return vector;
    }

    @Test
    void closedStoreRefusesCalls() {
        store.close();

        assertThatThrownBy(() -> store.latestVersion("tenant-a", MODEL)).isInstanceOf(IllegalStateException.class);
    }

    private Path datasetPath(String customerId) {
        return lanceRoot.resolve(customerId).resolve("chunks-" + MODEL + ".lance");
    }

    private static List<ChunkRow> rows(String documentId, int docVersion, int count, String textPrefix) {
        List<ChunkRow> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String text = textPrefix + " chunk " + i;
            rows.add(new ChunkRow(documentId, docVersion, i, text, 3, "hash-" + textPrefix + "-" + i, i * 20,
                    i * 20 + text.length(), null, MODEL, vector(i)));
        }
        return rows;
    }

    /** A unit vector mostly along axis {@code i}, so each chunk has its own direction. */
    private static float[] vector(int i) {
        float[] vector = new float[DIMENSIONS];
        for (int d = 0; d < DIMENSIONS; d++) {
            vector[d] = d == i % DIMENSIONS ? 0.9f : 0.1f;
        }
        double norm = 0;
        for (float v : vector) {
            norm += v * v;
        }
        for (int d = 0; d < DIMENSIONS; d++) {
            vector[d] /= (float) Math.sqrt(norm);
        }
        return vector;
    }
}
