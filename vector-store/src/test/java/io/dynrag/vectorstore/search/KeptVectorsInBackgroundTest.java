package io.dynrag.vectorstore.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ReadOptions;
import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.LanceChunkStore;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.memory.ArrowMemory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fragment is read into memory in the background: the search needing it reads from storage
 * meanwhile, with the same hits, and later searches read from memory; a failed read changes no hit.
 */
class KeptVectorsInBackgroundTest {

    private static final String TENANT = "tenant-b";
    private static final String MODEL = "all-minilm-l6-v2";
    private static final int DIMENSIONS = 8;
    /** Written one by one: a fragment each. */
    private static final List<String> DOCUMENTS = List.of("doc-0", "doc-1", "doc-2");
    private static final SearchScope SCOPE = SearchScope.LATEST.onlyDocuments(Set.copyOf(DOCUMENTS));
    private static final int K = 5;

    @TempDir
    Path lanceRoot;

    private final Random random = new Random(7);
    private final ArrowMemory memory = new ArrowMemory();
    private final GatedOpener opener = new GatedOpener();
    private final KeptVectors kept = new KeptVectors(1 << 20, memory, opener);
    private final FilteredNearest fromMemory = new FilteredNearest(new DocumentRows(4), kept);
    /** Holds nothing, so it always reads from storage; it never opens a dataset. */
    private final FilteredNearest fromStorage = new FilteredNearest(new DocumentRows(4), new KeptVectors(0, memory,
            (allocator, uri, version) -> {
                throw new AssertionError("reads nothing into memory");
            }));

    @BeforeEach
    void writeDocuments() {
        try (LanceChunkStore store = new LanceChunkStore(lanceRoot)) {
            for (String documentId : DOCUMENTS) {
                List<ChunkRow> rows = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    String text = documentId + " chunk " + i;
                    rows.add(new ChunkRow(documentId, 1, i, text, 3, Integer.toHexString(text.hashCode()), 0,
                            text.length(), i % 2 == 0 ? null : i, MODEL, randomVector()));
                }
                store.replaceDocument(TENANT, MODEL, documentId, rows);
            }
        }
    }

    @AfterEach
    void close() {
        opener.gate.countDown();
        memory.close(kept::close);
    }

    @Test
    void theFirstSearchReadsFromStorageWhileTheRowsAreReadAndLaterSearchesFromMemory() throws InterruptedException {
        float[] query = randomVector();
        List<ChunkMatch> expected = search(fromStorage, query);

        // The reads wait at the gate: the search cannot be waiting for them.
        assertThat(search(fromMemory, query))
                .containsExactlyElementsOf(expected);
        assertThat(kept.answeredFromMemory()).isZero();

        opener.gate.countDown();
        kept.awaitReads();
        assertThat(search(fromMemory, query))
                .containsExactlyElementsOf(expected);
        assertThat(kept.answeredFromMemory()).isEqualTo(1);
        assertThat(opener.calls).as("one read per fragment, each with a handle of its own").hasValue(DOCUMENTS.size());
    }

    @Test
    void aFailedReadChangesNoHitAndTheNextSearchReadsAgain() throws InterruptedException {
        opener.gate.countDown();
        opener.failures = DOCUMENTS.size();
        float[] query = randomVector();
        List<ChunkMatch> expected = search(fromStorage, query);

        assertThat(search(fromMemory, query))
                .containsExactlyElementsOf(expected);
        kept.awaitReads();
        assertThat(search(fromMemory, query))
                .as("nothing was kept, so from storage again").containsExactlyElementsOf(expected);
        assertThat(kept.answeredFromMemory()).isZero();

        kept.awaitReads();
        assertThat(search(fromMemory, query))
                .containsExactlyElementsOf(expected);
        assertThat(kept.answeredFromMemory()).isEqualTo(1);
        assertThat(opener.calls).hasValue(2 * DOCUMENTS.size());
    }

    @Test
    void concurrentSearchesStartOneReadPerFragment() throws Exception {
        float[] query = randomVector();
        int searches = 8;
        ExecutorService searchers = Executors.newFixedThreadPool(searches);
        try (BufferAllocator allocator = new RootAllocator(); Dataset dataset = open(allocator)) {
            List<ChunkMatch> expected = fromStorage.search(dataset, query, K, SCOPE, IndexSearch.DEFAULT);
            for (int round = 0; round < 2; round++) {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<List<ChunkMatch>>> hits = new ArrayList<>();
                for (int s = 0; s < searches; s++) {
                    hits.add(searchers.submit(() -> {
                        start.await();
                        return fromMemory.search(dataset, query, K, SCOPE, IndexSearch.DEFAULT);
                    }));
                }
                start.countDown();
                for (Future<List<ChunkMatch>> hit : hits) {
                    assertThat(hit.get()).containsExactlyElementsOf(expected);
                }
                opener.gate.countDown();
                kept.awaitReads();
            }
        } finally {
            searchers.shutdown();
        }
        assertThat(opener.calls).hasValue(DOCUMENTS.size());
        assertThat(kept.answeredFromMemory()).as("the second round").isEqualTo(searches);
    }

    @Test
    void rowsReadWhileTheirDatasetIsForgottenAreNotKept() throws InterruptedException {
        float[] query = randomVector();
        List<ChunkMatch> expected = search(fromStorage, query);
        search(fromMemory, query);

        kept.forget(lanceRoot.resolve(TENANT).toString());
        opener.gate.countDown();
        kept.awaitReads();

        assertThat(search(fromMemory, query)).as("read again").containsExactlyElementsOf(expected);
        kept.awaitReads();
        assertThat(search(fromMemory, query)).containsExactlyElementsOf(expected);
        assertThat(kept.answeredFromMemory()).isEqualTo(1);
        assertThat(opener.calls).hasValue(2 * DOCUMENTS.size());
    }

    @Test
    void closingStopsTheReadsBeforeTheMemoryIsReleased() throws InterruptedException {
        float[] query = randomVector();
        search(fromMemory, query);
        opener.entered.await();

        Thread closing = Thread.ofPlatform().start(kept::close);
        // Closing has begun once it waits for the read at the gate.
        while (closing.getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait();
        }
        opener.gate.countDown();
        closing.join();

        assertThat(opener.calls).as("the queued reads were dropped").hasValue(1);
        assertThat(memory.root().getAllocatedMemory()).isZero();
        Optional<List<KeptVectors.Rows>> held = read(dataset -> kept.rowsOf(dataset, new DocumentRows(4).of(dataset),
                DOCUMENTS, DIMENSIONS));
        assertThat(held).isEmpty();
    }

    /** Opens the dataset once the gate is open; the first {@code failures} calls fail instead. */
    private static final class GatedOpener implements KeptVectors.Opener {
        final CountDownLatch gate = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();
        volatile int failures;

        @Override
        public Dataset open(BufferAllocator memory, String uri, long version) {
            int call = calls.incrementAndGet();
            entered.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (call <= failures) {
                throw new IllegalStateException("injected failure " + call);
            }
            return Dataset.open(memory, uri, new ReadOptions.Builder().setVersion((int) version).build());
        }
    }

    private List<ChunkMatch> search(FilteredNearest nearest, float[] query) {
        return read(dataset -> nearest.search(dataset, query, K, SCOPE, IndexSearch.DEFAULT));
    }

    private <T> T read(Function<Dataset, T> action) {
        try (BufferAllocator allocator = new RootAllocator(); Dataset dataset = open(allocator)) {
            return action.apply(dataset);
        }
    }

    private Dataset open(BufferAllocator allocator) {
        String uri = lanceRoot.resolve(TENANT).resolve("chunks-" + MODEL + ".lance").toString();
        return Dataset.open(allocator, uri, new ReadOptions.Builder().build());
    }

    private float[] randomVector() {
        float[] vector = new float[DIMENSIONS];
        for (int i = 0; i < DIMENSIONS; i++) {
            vector[i] = (float) random.nextGaussian();
        }
        return vector;
    }
}
