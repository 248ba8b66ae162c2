package io.dynrag.vectorstore.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ReadOptions;
import io.dynrag.vectorstore.LanceChunkStore;
import io.dynrag.vectorstore.dataset.ChunkRow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rows a filtered search compares, from memory, exactly as the searched version holds them. */
class KeptVectorsTest {

    private static final String TENANT = "tenant-k";
    private static final String MODEL = "all-minilm-l6-v2";

    @TempDir
    Path lanceRoot;

    @Test
    void holdsEachDocumentsRowsAndFollowsReplacedDocumentsToTheirNewRows() {
        try (LanceChunkStore store = new LanceChunkStore(lanceRoot)) {
            store.replaceDocument(TENANT, MODEL, "doc-a", rows("doc-a", 1, 3, 0f));
            store.replaceDocument(TENANT, MODEL, "doc-b", rows("doc-b", 1, 2, 10f));
        }
        KeptVectors kept = new KeptVectors(1 << 20);
        DocumentRows documentRows = new DocumentRows(4);
        Optional<List<KeptVectors.Rows>> before = read(dataset -> kept.rowsOf(dataset, documentRows.of(dataset),
                List.of("doc-a", "doc-b"), 2));

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
        Optional<List<KeptVectors.Rows>> after = read(dataset -> kept.rowsOf(dataset, documentRows.of(dataset),
                List.of("doc-a", "doc-b"), 2));

        assertThat(after).isPresent();
        assertThat(after.get()).extracting(KeptVectors.Rows::documentId).containsExactly("doc-a", "doc-b");
        KeptVectors.Rows newDocA = after.get().getFirst();
        assertThat(newDocA.docVersions()).containsExactly(2);
        assertThat(newDocA.vectors()).containsExactly(5f, 0f);
        assertThat(after.get().get(1).count()).isEqualTo(2);
    }

    @Test
    void withoutRoomForAFragmentTheSearchReadsFromStorage() {
        try (LanceChunkStore store = new LanceChunkStore(lanceRoot)) {
            store.replaceDocument(TENANT, MODEL, "doc-a", rows("doc-a", 1, 3, 0f));
        }
        DocumentRows documentRows = new DocumentRows(4);

        Optional<List<KeptVectors.Rows>> held = read(dataset -> new KeptVectors(0).rowsOf(dataset,
                documentRows.of(dataset), List.of("doc-a"), 2));

        assertThat(held).isEmpty();
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
