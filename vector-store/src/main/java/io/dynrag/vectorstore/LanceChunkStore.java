package io.dynrag.vectorstore;

import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.dataset.DatasetPaths;
import io.dynrag.vectorstore.dataset.Datasets;
import io.dynrag.vectorstore.dataset.TenantDirectories;
import io.dynrag.vectorstore.history.CleanableHistory;
import io.dynrag.vectorstore.history.HistoryCleanup;
import io.dynrag.vectorstore.index.IndexedDatasets;
import io.dynrag.vectorstore.index.VectorIndexBuilder;
import io.dynrag.vectorstore.keyword.KeywordChunks;
import io.dynrag.vectorstore.memory.ArrowMemory;
import io.dynrag.vectorstore.read.ChunkReader;
import io.dynrag.vectorstore.search.ChunkMatch;
import io.dynrag.vectorstore.search.IndexSearch;
import io.dynrag.vectorstore.search.NearestChunks;
import io.dynrag.vectorstore.write.ChunkWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The chunks of every document, one Lance dataset per tenant and embedding model at
 * {@code {lanceRoot}/{customerId}/chunks-{model}.lance} ({@link DatasetPaths}), the root a local
 * directory or an {@code s3://} URI ({@link LanceLocation}).
 *
 * <p>A document's rows are replaced in one commit ({@link ChunkWriter}), so every dataset version
 * holds a consistent state of every document; the version numbers this store returns are the
 * document history and can be read back with the {@code ...AsOf} methods ({@link ChunkReader}).
 * Lance's automatic cleanup of old versions is therefore switched off on every dataset this store
 * writes.
 *
 * <p>Thread-safety: every call opens its own dataset handle, except searches of the latest
 * version, which share one kept open per dataset ({@link NearestChunks}); any number of searches
 * and reads run concurrently with each other and with writes, and a read sees the latest version
 * committed when it started. Writes to the same dataset are serialised within this store. Writers
 * in other processes (pipeline instances write one tenant's dataset at once: their work is keyed by
 * document) are detected by Lance's optimistic commit, which creates each version's manifest with a
 * conditional PUT on object stores and retries the merge when another commit came first.
 * {@link #close()} waits for running calls and then releases the Arrow memory ({@link ArrowMemory}).
 *
 * <p>Needs {@code --add-opens=java.base/java.nio=ALL-UNNAMED} (Arrow). Lance unpacks a 127 MB
 * native library into {@code java.io.tmpdir} when the first store is used.
 */
public final class LanceChunkStore implements ChunkIndex, IndexedDatasets, CleanableHistory, AutoCloseable {

    /** The fewest rows a vector index is built for: product quantisation trains on 256 at least. */
    public static final int MIN_INDEXED_ROWS = VectorIndexBuilder.MIN_INDEXED_ROWS;

    private final ArrowMemory memory = new ArrowMemory();
    private final TenantDirectories tenants;
    private final ChunkWriter writer;
    private final ChunkReader reader;
    private final NearestChunks nearest;
    private final KeywordChunks keywords;
    private final VectorIndexBuilder indexes;
    private final HistoryCleanup history;

    /** A store in a local directory. */
    public LanceChunkStore(Path lanceRoot) {
        this(LanceLocation.local(lanceRoot));
    }

    /** @param location a local directory, or an object store URI with its storage options */
    public LanceChunkStore(LanceLocation location) {
        this(location, IndexSearch.DEFAULT);
    }

    /** @param indexSearch how searches use a vector index; benchmarks compare settings */
    public LanceChunkStore(LanceLocation location, IndexSearch indexSearch) {
        DatasetPaths paths = new DatasetPaths(location.root());
        Datasets datasets = new Datasets(paths, location.storageOptions(), memory);
        this.tenants = new TenantDirectories(paths, location.storageOptions(), memory);
        this.writer = new ChunkWriter(datasets);
        this.reader = new ChunkReader(datasets);
        this.nearest = new NearestChunks(datasets, indexSearch);
        this.keywords = new KeywordChunks(datasets, nearest);
        this.indexes = new VectorIndexBuilder(datasets);
        this.history = new HistoryCleanup(datasets);
    }

    /**
     * Makes {@code rows} the complete set of rows of the document: rows with the same
     * (document_id, chunk_index) are updated, new ones inserted and the document's other rows
     * deleted, all in one commit. Creates the dataset if it does not exist. Replaying the same call
     * leaves the same rows. Empty {@code rows} delete the document.
     *
     * @return the dataset version that holds the new rows; 0 when {@code rows} is empty and the
     *     dataset does not exist (there is nothing to delete)
     */
    @Override
    public long replaceDocument(String customerId, String model, String documentId, List<ChunkRow> rows) {
        return writer.replaceDocument(customerId, model, documentId, rows);
    }

    /** Only datasets that hold the document get a new version. */
    @Override
    public long removeDocument(String customerId, String documentId) {
        long lanceVersion = 0;
        for (String model : modelsOf(customerId)) {
            if (!vectorsByContentHash(customerId, model, documentId).isEmpty()) {
                lanceVersion = Math.max(lanceVersion, replaceDocument(customerId, model, documentId, List.of()));
            }
        }
        return lanceVersion;
    }

    /**
     * Removes every dataset of the tenant, with all their versions (a deleted customer's data must
     * go).
     *
     * @return whether anything was removed
     */
    @Override
    public boolean dropTenant(String customerId) {
        return tenants.drop(customerId, uriPrefix -> {
            nearest.forget(uriPrefix);
            keywords.forget(uriPrefix);
        });
    }

    /** Ids of the models the tenant has datasets for. */
    public List<String> modelsOf(String customerId) {
        return tenants.modelsOf(customerId);
    }

    /** Vectors of the document's current rows by content hash, to reuse for unchanged chunks. */
    @Override
    public Map<String, float[]> vectorsByContentHash(String customerId, String model, String documentId) {
        return reader.vectorsByContentHash(customerId, model, documentId);
    }

    /** The document's rows in the latest version, by chunk index; empty if there are none. */
    public List<ChunkRow> documentRows(String customerId, String model, String documentId) {
        return reader.documentRows(customerId, model, documentId, OptionalLong.empty());
    }

    /** The document's rows as they were in dataset version {@code datasetVersion}. */
    public List<ChunkRow> documentRowsAsOf(String customerId, String model, String documentId, long datasetVersion) {
        return reader.documentRows(customerId, model, documentId,
                OptionalLong.of(Datasets.checkVersion(datasetVersion)));
    }

    /** The latest version of the tenant's dataset for the model, empty if it does not exist. */
    public OptionalLong latestVersion(String customerId, String model) {
        return reader.latestVersion(customerId, model);
    }

    /** Every version the tenant's dataset for the model still has, oldest first; empty if it does not exist. */
    public List<Long> versions(String customerId, String model) {
        return reader.versions(customerId, model);
    }

    /** Removes the versions of the tenant's dataset for the model that no search from {@code windowStart} on reads. */
    @Override
    public int cleanUpHistory(String customerId, String model, Instant windowStart) {
        return history.cleanUp(customerId, model, windowStart);
    }

    /** How many rows each document has in dataset version {@code datasetVersion}; reads no text or vectors. */
    public Map<String, Integer> rowsPerDocumentAsOf(String customerId, String model, long datasetVersion) {
        return reader.rowsPerDocumentAsOf(customerId, model, datasetVersion);
    }

    /** Rows in the latest version of the tenant's dataset for the model; 0 if it does not exist. */
    @Override
    public long rowCount(String customerId, String model) {
        return reader.rowCount(customerId, model);
    }

    /**
     * The {@code k} chunks nearest to {@code query} by cosine similarity, best first, over the
     * latest version. Empty if the tenant has no dataset for the model.
     *
     * @throws IllegalArgumentException if the query does not have the dataset's dimensions
     */
    public List<ChunkMatch> search(String customerId, String model, float[] query, int k) {
        return search(customerId, model, query, k, SearchScope.LATEST);
    }

    /**
     * Like {@link #search(String, String, float[], int)}, over the rows {@code scope} names.
     *
     * @throws IllegalArgumentException also when the scope names a dataset version that does not exist
     */
    public List<ChunkMatch> search(String customerId, String model, float[] query, int k, SearchScope scope) {
        return nearest.search(customerId, model, query, k, scope);
    }

    /** Like {@link #search(String, String, float[], int, SearchScope)}, as deep as {@code depth} says: candidates for a fusion. */
    public List<ChunkMatch> search(String customerId, String model, float[] query, NearestChunks.Depth depth,
                                   SearchScope scope) {
        return nearest.search(customerId, model, query, depth, scope);
    }

    /**
     * The {@code k} chunks that score best by BM25 for the query's terms, best first, over the rows
     * {@code scope} names: the same rows a {@link #search} with that scope considers. Empty when the
     * query has no terms or the tenant has no dataset for the model. The keyword index is derived
     * from the Lance rows ({@link KeywordChunks}).
     *
     * @throws IllegalArgumentException when the scope names a dataset version that does not exist
     */
    public List<ChunkMatch> keywordSearch(String customerId, String model, String query, int k, SearchScope scope) {
        return keywords.search(customerId, model, query, k, scope);
    }

    /** Whether the latest version of the dataset has a vector index. */
    @Override
    public boolean hasVectorIndex(String customerId, String model) {
        return indexes.hasVectorIndex(customerId, model);
    }

    /**
     * Builds the dataset's vector index (IVF partitions of product-quantised vectors), replacing
     * any earlier one, in a new dataset version holding the same rows. Searches without filters
     * use it from then on as {@link IndexSearch} says (partitions probed, candidates re-ranked by
     * their exact distance). Writes to the dataset wait while it is built; searches do not.
     *
     * @return the rows indexed
     * @throws IllegalStateException when the dataset has fewer than {@value #MIN_INDEXED_ROWS} rows
     */
    @Override
    public long buildVectorIndex(String customerId, String model) {
        return indexes.build(customerId, model);
    }

    /**
     * Waits until the fragments searches started reading into memory in the background are read: for
     * measurements and tests that must know which way a search reads its rows.
     */
    public void awaitVectorReads() {
        try {
            nearest.awaitVectorReads();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while rows were read into memory", e);
        }
    }

    /**
     * Waits for running calls and for the background read of vectors into memory (which stops at its
     * next batch), then releases all Arrow memory.
     */
    @Override
    public void close() {
        memory.close(() -> {
            nearest.close();
            keywords.close();
            tenants.close();
        });
    }
}
