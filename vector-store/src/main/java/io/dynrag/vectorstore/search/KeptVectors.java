package io.dynrag.vectorstore.search;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.ScanOptions;
import io.dynrag.vectorstore.dataset.ChunkTable;
import io.dynrag.vectorstore.dataset.Scans;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The vectors and keys of fragments' rows, grouped by document, kept in memory up to a budget: a
 * filtered search that compares every kept row with the query reads them from here instead of
 * scanning Lance for them on each search (reading 10,000 vectors out of Lance costs far more than
 * comparing them).
 *
 * <p>A fragment's data files never change, so what was read of them stays true; only deletions
 * change a fragment, and a document's rows leave a fragment all at once (a write replaces or
 * deletes all of a document's rows). So the rows are kept per fragment id and data files, and a
 * search uses a document's kept rows only when the number of them equals the number the version
 * it searches holds in that fragment ({@link DocumentRows}); otherwise it reads from Lance as
 * before. Derived and per process: losing it costs one read of each fragment.
 */
final class KeptVectors {

    /** Per row beyond its vector: document version, chunk index and page, and some of the arrays' headers. */
    private static final int BYTES_PER_ROW_BESIDES_VECTOR = 16;

    private final long budgetBytes;
    /** Per dataset URI and fragment data files, least recently used first. */
    private final Map<String, FragmentVectors> byFragment = new LinkedHashMap<>(16, 0.75f, true);
    private long heldBytes;

    /** @param budgetBytes the most bytes of rows kept for all datasets together; 0 keeps none */
    KeptVectors(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /** One document's rows in one fragment: its vectors one after the other. */
    record Rows(String documentId, int[] docVersions, int[] chunkIndexes, Integer[] pages, float[] vectors) {

        int count() {
            return chunkIndexes.length;
        }
    }

    private record FragmentVectors(Map<String, Rows> byDocument, long bytes) {
    }

    /**
     * The rows of each of {@code documents} in {@code dataset}'s version, from memory: empty when any of
     * them is not held and cannot be (the budget is too small for its fragment), or when what is held of
     * a document does not match what the version holds, so the caller reads from Lance instead.
     */
    Optional<List<Rows>> rowsOf(Dataset dataset, DocumentRows.Directory directory, Iterable<String> documents,
                                int dimensions) {
        List<Rows> rows = new ArrayList<>();
        Map<Integer, FragmentVectors> read = new HashMap<>();
        for (String documentId : documents) {
            for (int fragmentId : directory.fragments().getOrDefault(documentId, Set.of())) {
                FragmentVectors fragment = read.get(fragmentId);
                if (fragment == null) {
                    Optional<FragmentVectors> held = held(dataset, directory, fragmentId, dimensions);
                    if (held.isEmpty()) {
                        return Optional.empty();
                    }
                    fragment = held.get();
                    read.put(fragmentId, fragment);
                }
                Rows ofDocument = fragment.byDocument().get(documentId);
                int live = directory.rowsByFragment().get(fragmentId).getOrDefault(documentId, 0);
                if (ofDocument == null || ofDocument.count() != live) {
                    return Optional.empty();
                }
                rows.add(ofDocument);
            }
        }
        return Optional.of(rows);
    }

    private Optional<FragmentVectors> held(Dataset dataset, DocumentRows.Directory directory, int fragmentId,
                                           int dimensions) {
        String key = dataset.uri() + "#" + fragmentId + "#" + directory.dataFiles().get(fragmentId);
        synchronized (this) {
            FragmentVectors held = byFragment.get(key);
            if (held != null) {
                return Optional.of(held);
            }
        }
        long rows = directory.rowsByFragment().get(fragmentId).values().stream().mapToLong(Integer::longValue).sum();
        if (rows * (dimensions * (long) Float.BYTES + BYTES_PER_ROW_BESIDES_VECTOR) > budgetBytes / 2) {
            // A fragment taking more than half the budget would push out everything else at each read.
            return Optional.empty();
        }
        FragmentVectors read = read(dataset, fragmentId, dimensions);
        synchronized (this) {
            FragmentVectors raced = byFragment.putIfAbsent(key, read);
            if (raced != null) {
                return Optional.of(raced);
            }
            heldBytes += read.bytes();
            var eldestFirst = byFragment.entrySet().iterator();
            while (heldBytes > budgetBytes && eldestFirst.hasNext()) {
                var eldest = eldestFirst.next();
                if (eldest.getValue() != read) {
                    heldBytes -= eldest.getValue().bytes();
                    eldestFirst.remove();
                }
            }
        }
        return Optional.of(read);
    }

    /** The fragment's live rows, one scan of it. */
    private static FragmentVectors read(Dataset dataset, int fragmentId, int dimensions) {
        Map<String, RowsBuilder> byDocument = new HashMap<>();
        Scans.scanBatches(dataset, new ScanOptions.Builder()
                .fragmentIds(List.of(fragmentId))
                .columns(List.of(ChunkTable.DOCUMENT_ID, ChunkTable.DOC_VERSION, ChunkTable.CHUNK_INDEX,
                        ChunkTable.PAGE, ChunkTable.VECTOR))
                .build(), batch -> {
            float[] values = ChunkTable.vectors(batch, dimensions);
            for (int i = 0; i < batch.getRowCount(); i++) {
                byDocument.computeIfAbsent(ChunkTable.string(batch, ChunkTable.DOCUMENT_ID, i), id -> new RowsBuilder())
                        .add(ChunkTable.integer(batch, ChunkTable.DOC_VERSION, i),
                                ChunkTable.integer(batch, ChunkTable.CHUNK_INDEX, i),
                                ChunkTable.nullableInteger(batch, ChunkTable.PAGE, i), values, i * dimensions,
                                dimensions);
            }
        });
        Map<String, Rows> rows = new HashMap<>();
        long bytes = 0;
        for (Map.Entry<String, RowsBuilder> document : byDocument.entrySet()) {
            Rows built = document.getValue().build(document.getKey());
            rows.put(document.getKey(), built);
            bytes += built.count() * (dimensions * (long) Float.BYTES + BYTES_PER_ROW_BESIDES_VECTOR)
                    + 2L * document.getKey().length() + 64;
        }
        return new FragmentVectors(Map.copyOf(rows), bytes);
    }

    /** Forgets the datasets under {@code uriPrefix}, about to be removed. */
    synchronized void forget(String uriPrefix) {
        var entries = byFragment.entrySet().iterator();
        while (entries.hasNext()) {
            var entry = entries.next();
            if (entry.getKey().startsWith(uriPrefix)) {
                heldBytes -= entry.getValue().bytes();
                entries.remove();
            }
        }
    }

    private static final class RowsBuilder {
        private final List<Integer> docVersions = new ArrayList<>();
        private final List<Integer> chunkIndexes = new ArrayList<>();
        private final List<Integer> pages = new ArrayList<>();
        private final List<float[]> vectors = new ArrayList<>();

        void add(int docVersion, int chunkIndex, Integer page, float[] values, int offset, int dimensions) {
            docVersions.add(docVersion);
            chunkIndexes.add(chunkIndex);
            pages.add(page);
            float[] vector = new float[dimensions];
            System.arraycopy(values, offset, vector, 0, dimensions);
            vectors.add(vector);
        }

        Rows build(String documentId) {
            int count = chunkIndexes.size();
            int dimensions = vectors.isEmpty() ? 0 : vectors.getFirst().length;
            float[] all = new float[count * dimensions];
            for (int i = 0; i < count; i++) {
                System.arraycopy(vectors.get(i), 0, all, i * dimensions, dimensions);
            }
            return new Rows(documentId, docVersions.stream().mapToInt(Integer::intValue).toArray(),
                    chunkIndexes.stream().mapToInt(Integer::intValue).toArray(), pages.toArray(Integer[]::new), all);
        }
    }
}
