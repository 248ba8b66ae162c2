package io.dynrag.vectorstore.index;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Builds a tenant dataset's vector index in the background once it holds enough rows that brute
 * force gets slow, and builds it again once the dataset has doubled since (rows written after a
 * build are searched by brute force beside the index until then). Searches go on meanwhile;
 * writes to that dataset wait for the build. One build at a time, so indexing never takes more
 * than one core from the pipeline.
 */
public final class VectorIndexer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(VectorIndexer.class);

    private final IndexedDatasets store;
    private final long minRows;
    private final ExecutorService builder = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "vector-indexer");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    /** Rows at the last build, by dataset; a dataset indexed before a restart counts from its size then. */
    private final Map<String, Long> indexedRows = new ConcurrentHashMap<>();

    /** @param minRows rows from which a dataset gets an index; at least {@link VectorIndexBuilder#MIN_INDEXED_ROWS} */
    public VectorIndexer(IndexedDatasets store, long minRows) {
        this.store = store;
        this.minRows = Math.max(minRows, VectorIndexBuilder.MIN_INDEXED_ROWS);
    }

    /** Called after a write; returns at once, the check and any build run in the background. */
    public void afterWrite(String customerId, String model) {
        String dataset = customerId + "/" + model;
        if (!pending.add(dataset)) {
            return;
        }
        try {
            builder.execute(() -> {
                pending.remove(dataset);
                try {
                    indexIfDue(dataset, customerId, model);
                } catch (RuntimeException e) {
                    // Search works without the index; the next write tries again.
                    log.warn("Could not build the vector index of {}: {}", dataset, e.getMessage());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            pending.remove(dataset);
        }
    }

    private void indexIfDue(String dataset, String customerId, String model) {
        long rows = store.rowCount(customerId, model);
        if (rows < minRows) {
            return;
        }
        Long lastBuild = indexedRows.get(dataset);
        if (lastBuild == null && store.hasVectorIndex(customerId, model)) {
            indexedRows.put(dataset, rows);
            return;
        }
        if (lastBuild != null && rows < 2 * lastBuild) {
            return;
        }
        long started = System.nanoTime();
        long indexed = store.buildVectorIndex(customerId, model);
        indexedRows.put(dataset, indexed);
        log.info("Built the vector index of {} over {} rows in {} ms", dataset, indexed,
                (System.nanoTime() - started) / 1_000_000);
    }

    @Override
    public void close() {
        builder.shutdownNow();
        try {
            builder.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
