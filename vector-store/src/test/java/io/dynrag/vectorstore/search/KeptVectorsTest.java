package io.dynrag.vectorstore.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ReadOptions;
import io.dynrag.vectorstore.LanceChunkStore;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.memory.ArrowMemory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rows a filtered search compares, from memory, exactly as the searched version holds them. */
class KeptVectorsTest {

    private static final String TENANT = "tenant-k";
    private static final String MODEL = "all-minilm-l6-v2";

    @TempDir
    Path lanceRoot;

    private final ArrowMemory memory = new ArrowMemory();
    private final List<KeptVectors> made = new ArrayList<>();

    @AfterEach
    void close() {
        memory.close(() -> made.forEach(KeptVectors::close));
    }

    @Test
    void holdsEachDocumentsRowsAndFollowsReplacedDocumentsToTheirNewRows() throws InterruptedException {
        try (LanceChunkStore store = new LanceChunkStore(lanceRoot)) {
            store.replaceDocument(TENANT, MODEL, "doc-a", rows("doc-a", 1, 3, 0f));
            store.replaceDocument(TENANT, MODEL, "doc-b", rows("doc-b", 1, 2, 10f));
        }
        KeptVectors kept = kept(1 << 20);
        DocumentRows documentRows = new DocumentRows(4);
        Function<Dataset, Optional<List<KeptVectors.Rows>>> rowsOfBoth = dataset -> kept.rowsOf(dataset,
                documentRows.of(dataset), List.of("doc-a", "doc-b"), 2);
        assertThat(read(rowsOfBoth)).as("read in the background, not while the search waits").isEmpty();
        kept.awaitReads();
        Optional<List<KeptVectors.Rows>> before = read(rowsOfBoth);

        assertThat(before).isPresent();
        assertThat(before.get()).extracting(KeptVectors.Rows::documentId).containsExactly("doc-a", "doc-b");
        KeptVectors.Rows docA = before.get().getFirst();
        assertThat(docA.count()).isEqualTo(3);
        for (int i = 0; i < docA.count(); i++) {
            int chunk = docA.chunkIndexes()[i];
            assertThat(Arrays.copyOfRange(docA.vectors(), 2 * i, 2 * i + 2)).containsExactly(0f, chunk);
        }

        // doc-a's rows leave their fragment (a deletion) and come back, fewer and new, in another.
        try (LanceChunkStore store = new LanceChunkStore(lanceRoot)) {
            store.replaceDocument(TENANT, MODEL, "doc-a", rows("doc-a", 2, 1, 5f));
        }
        assertThat(read(rowsOfBoth)).as("doc-a's new fragment is not held yet").isEmpty();
        kept.awaitReads();
        Optional<List<KeptVectors.Rows>> after = read(rowsOfBoth);

        assertThat(after).isPresent();
        assertThat(after.get()).extracting(KeptVectors.Rows::documentId).containsExactly("doc-a", "doc-b");
        KeptVectors.Rows newDocA = after.get().getFirst();
        assertThat(newDocA.docVersions()).containsExactly(2);
        assertThat(newDocA.vectors()).containsExactly(5f, 0f);
        assertThat(after.get().get(1).count()).isEqualTo(2);
    }

    @Test
    void withoutRoomForAFragmentTheSearchReadsFromStorage() throws InterruptedException {
        try (LanceChunkStore store = new LanceChunkStore(lanceRoot)) {
            store.replaceDocument(TENANT, MODEL, "doc-a", rows("doc-a", 1, 3, 0f));
        }
        DocumentRows documentRows = new DocumentRows(4);

        KeptVectors kept = kept(0);

        Function<Dataset, Optional<List<KeptVectors.Rows>>> rowsOfA = dataset -> kept.rowsOf(dataset,
                documentRows.of(dataset), List.of("doc-a"), 2);

        assertThat(read(rowsOfA)).isEmpty();
        kept.awaitReads();
        assertThat(read(rowsOfA)).isEmpty();
    }

    @Test
    void fragmentsThatCannotAllBeHeldAtOnceAreNotRead() throws InterruptedException {
        try (LanceChunkStore store = new LanceChunkStore(lanceRoot)) {
            for (String documentId : List.of("doc-a", "doc-b", "doc-c")) {
                store.replaceDocument(TENANT, MODEL, documentId, rows(documentId, 1, 3, 1f));
            }
        }
        // Each fragment's 3 rows take 146 bytes with their document's id: two fit, three do not.
        KeptVectors kept = kept(300);
        DocumentRows documentRows = new DocumentRows(4);
        Function<List<String>, Optional<List<KeptVectors.Rows>>> rowsOf = documents -> read(dataset ->
                kept.rowsOf(dataset, documentRows.of(dataset), documents, 2));

        assertThat(rowsOf.apply(List.of("doc-a", "doc-b", "doc-c"))).isEmpty();
        kept.awaitReads();
        assertThat(rowsOf.apply(List.of("doc-a"))).as("not read by the search of all three").isEmpty();
        kept.awaitReads();
        assertThat(rowsOf.apply(List.of("doc-a"))).isPresent();
        assertThat(rowsOf.apply(List.of("doc-a", "doc-b"))).isEmpty();
        kept.awaitReads();
        assertThat(rowsOf.apply(List.of("doc-a", "doc-b"))).isPresent();
    }

    private KeptVectors kept(long budgetBytes) {
        KeptVectors kept = new KeptVectors(budgetBytes, memory, (allocator, uri, version) -> Dataset.open(allocator,
                uri, new ReadOptions.Builder().setVersion((int) version).build()));
        made.add(kept);
        return kept;
    }

    private <T> T read(Function<Dataset, T> action) {
        String uri = lanceRoot.resolve(TENANT).resolve("chunks-" + MODEL + ".lance").toString();
        try (RootAllocator allocator = new RootAllocator();
             Dataset dataset = Dataset.open(allocator, uri, new ReadOptions.Builder().build())) {
            return action.apply(dataset);
        }
    }

    /** Rows whose vectors are {@code (first, chunk index)}. */
    private static List<ChunkRow> rows(String documentId, int version, int count, float first) {
        List<ChunkRow> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String text = documentId + " v" + version + " chunk " + i;
            rows.add(new ChunkRow(documentId, version, i, text, 4, Integer.toHexString(text.hashCode()), 0,
                    text.length(), null, MODEL, new float[] {first, i}));
        }
        return rows;
    }
}
