package io.dynrag.vectorstore.search;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.ScanOptions;
import io.dynrag.vectorstore.dataset.ChunkTable;
import io.dynrag.vectorstore.dataset.Scans;
import io.dynrag.vectorstore.dataset.WriterFence;
import io.dynrag.vectorstore.memory.ArrowMemory;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>A fragment is read into memory in the background, never while a search waits (a cold read of
 * 100,000 rows took seconds): the search that first needs it starts the read and reads from Lance
 * itself, as do the searches until the read is done. One read at a time, on a thread of its own that
 * opens the dataset at the searched version itself (the search's handle may be closed by then), and
 * at most one read of a fragment queued or running. A read that fails is logged and forgotten, so a
 * later search starts it again; closing waits for the running read, which stops at its next batch.
 */
final class KeptVectors implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KeptVectors.class);

    /** Per row beyond its vector: document version, chunk index and page, and some of the arrays' headers. */
    private static final int BYTES_PER_ROW_BESIDES_VECTOR = 16;
    /** Long enough for the running read to reach its next batch. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    /** Opens the dataset at {@code uri} as of {@code version}, in {@code memory}; a read closes it when done. */
    @FunctionalInterface
    interface Opener {
        Dataset open(BufferAllocator memory, String uri, long version);
    }

    private final long budgetBytes;
    private final ArrowMemory memory;
    private final Opener opener;
    /** One thread, ended when idle, so reading into memory never takes more than one core from searches. */
    private final ThreadPoolExecutor reader = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), Thread.ofPlatform().name("kept-vectors").daemon().factory());
    /** Per dataset URI and fragment data files, least recently used first. */
    private final Map<String, FragmentVectors> byFragment = new LinkedHashMap<>(16, 0.75f, true);
    /** The fragments queued or being read, by the same key. */
    private final Set<String> reading = new HashSet<>();
    /** Lets tests see that a search compared rows from memory rather than from storage. */
    private final AtomicLong answeredFromMemory = new AtomicLong();
    private long heldBytes;
    /** Counts {@link #forget} calls: a read started before one may hold rows of a removed dataset. */
    private long forgets;
    private volatile boolean closed;

    /**
     * @param budgetBytes the most bytes of rows kept for all datasets together; 0 keeps none
     * @param memory      the store's memory, a child of which each read uses
     */
    KeptVectors(long budgetBytes, ArrowMemory memory, Opener opener) {
        this.budgetBytes = budgetBytes;
        this.memory = memory;
        this.opener = opener;
        reader.allowCoreThreadTimeOut(true);
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
     * A fragment to read.
     *
     * @param live   its documents' rows in the version read
     * @param forgets {@link #forgets} when the read was asked for
     */
    private record Read(String key, String uri, long version, int fragmentId, Map<String, Integer> live,
                        int dimensions, long forgets) {
    }

    /**
     * The rows of each of {@code documents} in {@code dataset}'s version, from memory: empty when any of
     * them is not held, so the caller reads from Lance instead. Fragments not held are then read into
     * memory in the background, for later searches, when they fit in the budget all together; empty as
     * well when what is held of a document does not match what the version holds.
     */
    Optional<List<Rows>> rowsOf(Dataset dataset, DocumentRows.Directory directory, Collection<String> documents,
                                int dimensions) {
        long needed = 0;
        for (int fragmentId : directory.fragmentsOf(documents)) {
            needed += bytesOf(directory.rowsByFragment().get(fragmentId), dimensions);
        }
        if (needed > budgetBytes) {
            // Never all held at once: reading them would only push one another out, at every search.
            return Optional.empty();
        }
        List<Rows> rows = new ArrayList<>();
        Map<Integer, Optional<FragmentVectors>> looked = new HashMap<>();
        boolean allHeld = true;
        for (String documentId : documents) {
            for (int fragmentId : directory.fragments().getOrDefault(documentId, Set.of())) {
                Optional<FragmentVectors> fragment = looked.computeIfAbsent(fragmentId,
                        id -> held(dataset, directory, id, dimensions));
                // The other fragments are still looked up, so one search starts the reads of all it needs.
                allHeld &= fragment.isPresent();
                if (!allHeld) {
                    continue;
                }
                Rows ofDocument = fragment.get().byDocument().get(documentId);
                int live = directory.rowsByFragment().get(fragmentId).getOrDefault(documentId, 0);
                if (ofDocument == null || ofDocument.count() != live) {
                    return Optional.empty();
                }
                rows.add(ofDocument);
            }
        }
        if (!allHeld) {
            return Optional.empty();
        }
        answeredFromMemory.incrementAndGet();
        return Optional.of(rows);
    }

    /** The fragment's rows when held; otherwise starts reading them, unless that is under way or cannot fit. */
    private synchronized Optional<FragmentVectors> held(Dataset dataset, DocumentRows.Directory directory,
                                                        int fragmentId, int dimensions) {
        String key = dataset.uri() + "#" + fragmentId + "#" + directory.dataFiles().get(fragmentId);
        FragmentVectors held = byFragment.get(key);
        if (held != null) {
            return Optional.of(held);
        }
        Map<String, Integer> live = directory.rowsByFragment().get(fragmentId);
        // A fragment taking more than half the budget would push out everything else at each read.
        if (closed || reading.contains(key) || bytesOf(live, dimensions) > budgetBytes / 2) {
            return Optional.empty();
        }
        Read read = new Read(key, dataset.uri(), dataset.version(), fragmentId, live, dimensions, forgets);
        reading.add(key);
        try {
            reader.execute(() -> keep(read));
        } catch (RejectedExecutionException closing) {
            // The store is closing: nothing is read any more.
            reading.remove(key);
        }
        return Optional.empty();
    }

    /** The bytes the rows of the documents take when held. */
    private static long bytesOf(Map<String, Integer> rowsByDocument, int dimensions) {
        long bytes = 0;
        for (Map.Entry<String, Integer> document : rowsByDocument.entrySet()) {
            // The id's characters, and the headers of the id, the arrays and the record.
            bytes += document.getValue() * (dimensions * (long) Float.BYTES + BYTES_PER_ROW_BESIDES_VECTOR)
                    + 2L * document.getKey().length() + 64;
        }
        return bytes;
    }

    /** Reads the fragment with a dataset handle of its own and keeps its rows, pushing out the least recently used. */
    private void keep(Read read) {
        FragmentVectors rows = null;
        try {
            if (!closed) {
                rows = memory.withChild("kept vectors", allocator -> {
                    try (Dataset dataset = opener.open(allocator, read.uri(), read.version())) {
                        return read(dataset, read);
                    }
                });
            }
        } catch (RuntimeException e) {
            if (!closed) {
                // Searches read from Lance meanwhile; the next one needing the fragment tries again.
                log.warn("Could not read fragment {} of {} (version {}) into memory: {}", read.fragmentId(),
                        read.uri(), read.version(), String.valueOf(e.getMessage()));
            }
        } finally {
            synchronized (this) {
                reading.remove(read.key());
                if (rows != null && !closed && forgets == read.forgets()) {
                    hold(read.key(), rows);
                }
                notifyAll();
            }
        }
    }

    private void hold(String key, FragmentVectors rows) {
        byFragment.put(key, rows);
        heldBytes += rows.bytes();
        var eldestFirst = byFragment.entrySet().iterator();
        while (heldBytes > budgetBytes && eldestFirst.hasNext()) {
            var eldest = eldestFirst.next();
            if (eldest.getValue() != rows) {
                heldBytes -= eldest.getValue().bytes();
                eldestFirst.remove();
            }
        }
    }

    /**
     * The fragment's live rows, one scan of it. Each document's arrays are sized from the version's row
     * counts, so each vector is copied once, from the scanned batch to where it is kept.
     */
    private FragmentVectors read(Dataset dataset, Read read) {
        int dimensions = read.dimensions();
        Map<String, RowsBuilder> byDocument = new HashMap<>();
        read.live().forEach((documentId, count) -> byDocument.put(documentId, new RowsBuilder(count, dimensions)));
        Scans.scanBatches(dataset, new ScanOptions.Builder()
                .fragmentIds(List.of(read.fragmentId()))
                .columns(List.of(ChunkTable.DOCUMENT_ID, ChunkTable.DOC_VERSION, ChunkTable.CHUNK_INDEX,
                        ChunkTable.PAGE, ChunkTable.VECTOR))
                .build(), batch -> {
            if (closed) {
                throw new CancellationException("the chunk store is closing");
            }
            FloatBuffer values = ChunkTable.vectorValues(batch, dimensions);
            for (int i = 0; i < batch.getRowCount(); i++) {
                String documentId = ChunkTable.string(batch, ChunkTable.DOCUMENT_ID, i);
                if (WriterFence.isFence(documentId)) {
                    continue;
                }
                RowsBuilder rows = byDocument.get(documentId);
                if (rows == null || rows.full()) {
                    throw new IllegalStateException("fragment " + read.fragmentId() + " holds more rows of "
                            + documentId + " than its version counts");
                }
                rows.add(ChunkTable.integer(batch, ChunkTable.DOC_VERSION, i),
                        ChunkTable.integer(batch, ChunkTable.CHUNK_INDEX, i),
                        ChunkTable.nullableInteger(batch, ChunkTable.PAGE, i), values, i);
            }
        });
        Map<String, Rows> rows = new HashMap<>();
        for (Map.Entry<String, RowsBuilder> document : byDocument.entrySet()) {
            if (!document.getValue().full()) {
                throw new IllegalStateException("fragment " + read.fragmentId() + " holds fewer rows of "
                        + document.getKey() + " than its version counts");
            }
            rows.put(document.getKey(), document.getValue().build(document.getKey()));
        }
        return new FragmentVectors(Map.copyOf(rows), bytesOf(read.live(), dimensions));
    }

    /** Forgets the datasets under {@code uriPrefix}, about to be removed, and what reads under way would keep. */
    synchronized void forget(String uriPrefix) {
        forgets++;
        var entries = byFragment.entrySet().iterator();
        while (entries.hasNext()) {
            var entry = entries.next();
            if (entry.getKey().startsWith(uriPrefix)) {
                heldBytes -= entry.getValue().bytes();
                entries.remove();
            }
        }
    }

    /** Waits until every fragment queued or being read is read (or failed): tests compare memory with storage. */
    synchronized void awaitReads() throws InterruptedException {
        while (!reading.isEmpty()) {
            wait();
        }
    }

    /** How many {@link #rowsOf} calls were answered from memory. */
    long answeredFromMemory() {
        return answeredFromMemory.get();
    }

    /**
     * Drops the queued reads and waits for the running one, which stops at its next batch; part of
     * closing the store, before its memory is released.
     */
    @Override
    public void close() {
        closed = true;
        reader.shutdown();
        try {
            if (!reader.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("A fragment was still being read into memory {} after the store began closing", CLOSE_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            byFragment.clear();
            heldBytes = 0;
        }
    }

    /** One document's rows of a fragment, in arrays sized from the version's count of them. */
    private static final class RowsBuilder {
        private final int[] docVersions;
        private final int[] chunkIndexes;
        private final Integer[] pages;
        private final float[] vectors;
        private final int dimensions;
        private int count;

        RowsBuilder(int rows, int dimensions) {
            this.docVersions = new int[rows];
            this.chunkIndexes = new int[rows];
            this.pages = new Integer[rows];
            this.vectors = new float[rows * dimensions];
            this.dimensions = dimensions;
        }

        boolean full() {
            return count == chunkIndexes.length;
        }

        /** Adds a row, its vector copied from row {@code row} of the batch's {@code values}. */
        void add(int docVersion, int chunkIndex, Integer page, FloatBuffer values, int row) {
            docVersions[count] = docVersion;
            chunkIndexes[count] = chunkIndex;
            pages[count] = page;
            values.get(row * dimensions, vectors, count * dimensions, dimensions);
            count++;
        }

        Rows build(String documentId) {
            return new Rows(documentId, docVersions, chunkIndexes, pages, vectors);
        }
    }
}
