package io.dynrag.pipeline.lance;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ReadOptions;
import com.lancedb.lance.Version;
import com.lancedb.lance.WriteParams;
import com.lancedb.lance.compaction.CompactionOptions;
import com.lancedb.lance.index.IndexParams;
import com.lancedb.lance.index.IndexType;
import com.lancedb.lance.index.vector.IvfBuildParams;
import com.lancedb.lance.index.vector.PQBuildParams;
import com.lancedb.lance.index.vector.VectorIndexParams;
import com.lancedb.lance.index.DistanceType;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.Query;
import com.lancedb.lance.ipc.ScanOptions;
import com.lancedb.lance.merge.MergeInsertParams;
import io.dynrag.domain.search.SearchScope;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The chunks of every document, one Lance dataset per tenant and embedding model at
 * {@code {lanceRoot}/{customerId}/chunks-{model}.lance}.
 *
 * <p>A document's rows are replaced in one commit, so every dataset version holds a consistent
 * state of every document; the version numbers this store returns are the document history and
 * can be read back with the {@code ...AsOf} methods. Lance's automatic cleanup of old versions is
 * therefore switched off on every dataset this store writes.
 *
 * <p>Thread-safety: every call opens its own dataset handle, except searches of the latest
 * version, which share one kept open per dataset (see {@link LatestDatasets}); any number of
 * searches and reads run concurrently with each other and with writes, and a read sees the latest
 * version committed when it started. Writes to the same dataset are serialised within this store. Writers in other
 * processes are detected by Lance's optimistic commit, which retries the merge; the pipeline still
 * keeps one writer per tenant by keying its topics by tenant. {@link #close()} waits for running
 * calls and then releases the Arrow memory.
 *
 * <p>Needs {@code --add-opens=java.base/java.nio=ALL-UNNAMED} (Arrow). Lance unpacks a 127 MB
 * native library into {@code java.io.tmpdir} when the first store is used.
 */
public final class LanceChunkStore implements AutoCloseable {

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final List<String> KEY_COLUMNS = List.of(ChunkTable.DOCUMENT_ID, ChunkTable.CHUNK_INDEX);
    private static final Set<String> AUTO_CLEANUP_KEYS =
            Set.of("lance.auto_cleanup.interval", "lance.auto_cleanup.older_than");

    /** The fewest rows a vector index is built for: product quantisation trains on 256 at least. */
    public static final int MIN_INDEXED_ROWS = 1_000;
    private static final String VECTOR_INDEX = "vector_index";
    /** Fragments a dataset may have before a write compacts it. */
    static final int COMPACT_AT_FRAGMENTS = 64;
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(5);
    /** Datasets whose handles stay open for searches; each holds its vector index in memory. */
    private static final int MAX_OPEN_FOR_SEARCH = 64;

    private final String root;
    private final Map<String, String> storageOptions;
    private final IndexSearch indexSearch;
    /** Each dataset's vector width is its model's; the first write of a dataset fixes it. */
    private final ConcurrentMap<Integer, ChunkTable> tables = new ConcurrentHashMap<>();
    private final RootAllocator allocator = new RootAllocator();
    private final ConcurrentMap<String, Lock> writeLocks = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    /** Searches of the latest version reuse open handles and the index caches in them. */
    private final LatestDatasets latest = new LatestDatasets(allocator,
            (memory, uri) -> open(memory, uri, OptionalLong.empty()), MAX_OPEN_FOR_SEARCH);
    private boolean closed;

    /** A store in a local directory. */
    public LanceChunkStore(Path lanceRoot) {
        this(lanceRoot.toAbsolutePath().normalize().toString(), Map.of());
    }

    /**
     * @param lanceRoot a local directory or an object store URI such as {@code s3://bucket/prefix}
     * @param storageOptions Lance storage options for object stores ({@code aws_endpoint},
     *     {@code aws_access_key_id}, {@code aws_region}, ...); empty for local directories
     */
    public LanceChunkStore(String lanceRoot, Map<String, String> storageOptions) {
        this(lanceRoot, storageOptions, IndexSearch.DEFAULT);
    }

    /** @param indexSearch how searches use a vector index; benchmarks compare settings */
    public LanceChunkStore(String lanceRoot, Map<String, String> storageOptions, IndexSearch indexSearch) {
        Objects.requireNonNull(lanceRoot, "lanceRoot");
        this.root = lanceRoot.endsWith("/") ? lanceRoot.substring(0, lanceRoot.length() - 1) : lanceRoot;
        this.storageOptions = Map.copyOf(storageOptions);
        this.indexSearch = Objects.requireNonNull(indexSearch, "indexSearch");
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
    public long replaceDocument(String customerId, String model, String documentId, List<ChunkRow> rows) {
        String uri = datasetUri(customerId, model);
        Objects.requireNonNull(documentId, "documentId");
        checkRows(model, documentId, rows);
        return whileOpen(() -> {
            Lock writeLock = writeLockOf(uri);
            writeLock.lock();
            BufferAllocator memory = allocator.newChildAllocator("replace-document", 0, Long.MAX_VALUE);
            try {
                Optional<Dataset> existing = open(memory, uri, OptionalLong.empty());
                if (existing.isEmpty() && rows.isEmpty()) {
                    return 0L;
                }
                try (Dataset dataset = existing.orElseGet(() -> createOrOpen(memory, uri,
                        rows.getFirst().vector().length))) {
                    if (!rows.isEmpty() && rows.getFirst().vector().length != dimensionsOf(dataset)) {
                        throw new IllegalArgumentException("chunk vectors have " + rows.getFirst().vector().length
                                + " dimensions, the dataset of " + model + " holds " + dimensionsOf(dataset));
                    }
                    keepAllVersions(dataset);
                    return merge(dataset, documentId, rows, memory);
                }
            } finally {
                closeOnceReleased(memory);
                writeLock.unlock();
            }
        });
    }

    /**
     * Removes every dataset of the tenant, with all their versions (a deleted customer's data must
     * go). Only local stores can do this so far; an object-store root throws.
     *
     * @return whether anything was removed
     */
    public boolean dropTenant(String customerId) {
        String tenant = root + "/" + pathSegment("customer id", customerId);
        if (tenant.contains("://")) {
            throw new UnsupportedOperationException("dropping a tenant is implemented for local Lance roots only");
        }
        return whileOpen(() -> {
            latest.forget(tenant + "/");
            Path directory = Path.of(tenant);
            if (!Files.exists(directory)) {
                return false;
            }
            try (Stream<Path> paths = Files.walk(directory)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove the datasets of " + customerId, e);
            }
        });
    }

    /** Ids of the models the tenant has datasets for (local stores only; empty for object stores). */
    public List<String> modelsOf(String customerId) {
        String tenant = root + "/" + pathSegment("customer id", customerId);
        if (tenant.contains("://")) {
            return List.of();
        }
        Path directory = Path.of(tenant);
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> datasets = Files.list(directory)) {
            return datasets.map(path -> path.getFileName().toString())
                    .filter(name -> name.startsWith("chunks-") && name.endsWith(".lance"))
                    .map(name -> name.substring("chunks-".length(), name.length() - ".lance".length()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the datasets of " + customerId, e);
        }
    }

    /** Vectors of the document's current rows by content hash, to reuse for unchanged chunks. */
    public Map<String, float[]> vectorsByContentHash(String customerId, String model, String documentId) {
        Objects.requireNonNull(documentId, "documentId");
        return read(customerId, model, OptionalLong.empty(), Map.of(), dataset -> {
            Map<String, float[]> vectors = new LinkedHashMap<>();
            scan(dataset, scanOfDocument(documentId, List.of(ChunkTable.CONTENT_HASH, ChunkTable.VECTOR)),
                    (batch, i) -> vectors.putIfAbsent(ChunkTable.string(batch, ChunkTable.CONTENT_HASH, i),
                            tableOf(dataset).vector(batch, i)));
            return vectors;
        });
    }

    /** The document's rows in the latest version, by chunk index; empty if there are none. */
    public List<ChunkRow> documentRows(String customerId, String model, String documentId) {
        return documentRows(customerId, model, documentId, OptionalLong.empty());
    }

    /** The document's rows as they were in dataset version {@code datasetVersion}. */
    public List<ChunkRow> documentRowsAsOf(String customerId, String model, String documentId, long datasetVersion) {
        return documentRows(customerId, model, documentId, OptionalLong.of(checkVersion(datasetVersion)));
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

    /** The latest version of the tenant's dataset for the model, empty if it does not exist. */
    public OptionalLong latestVersion(String customerId, String model) {
        return read(customerId, model, OptionalLong.empty(), OptionalLong.empty(),
                dataset -> OptionalLong.of(dataset.version()));
    }

    /** Every version the tenant's dataset for the model still has, oldest first; empty if it does not exist. */
    public List<Long> versions(String customerId, String model) {
        return read(customerId, model, OptionalLong.empty(), List.of(),
                dataset -> dataset.listVersions().stream().map(Version::getId).sorted().toList());
    }

    /** How many rows each document has in dataset version {@code datasetVersion}; reads no text or vectors. */
    public Map<String, Integer> rowsPerDocumentAsOf(String customerId, String model, long datasetVersion) {
        return read(customerId, model, OptionalLong.of(checkVersion(datasetVersion)), Map.of(), dataset -> {
            Map<String, Integer> rows = new TreeMap<>();
            scan(dataset, new ScanOptions.Builder().columns(List.of(ChunkTable.DOCUMENT_ID)).build(),
                    (batch, i) -> rows.merge(ChunkTable.string(batch, ChunkTable.DOCUMENT_ID, i), 1, Integer::sum));
            return rows;
        });
    }

    /** Rows in the latest version of the tenant's dataset for the model; 0 if it does not exist. */
    public long rowCount(String customerId, String model) {
        return read(customerId, model, OptionalLong.empty(), 0L, Dataset::countRows);
    }

    /** Whether the latest version of the dataset has a vector index. */
    public boolean hasVectorIndex(String customerId, String model) {
        return read(customerId, model, OptionalLong.empty(), false, dataset -> !dataset.listIndexes().isEmpty());
    }

    /**
     * Builds the dataset's vector index (IVF partitions of product-quantised vectors), replacing
     * any earlier one, in a new dataset version holding the same rows. Searches without filters
     * use it from then on as {@link IndexSearch} says (partitions probed, candidates re-ranked by
     * their exact distance). Writes to the
     * dataset wait while it is built; searches do not.
     *
     * @return the rows indexed
     * @throws IllegalStateException when the dataset has fewer than {@value #MIN_INDEXED_ROWS} rows
     */
    public long buildVectorIndex(String customerId, String model) {
        String uri = datasetUri(customerId, model);
        return whileOpen(() -> {
            Lock writeLock = writeLockOf(uri);
            writeLock.lock();
            try (BufferAllocator memory = allocator.newChildAllocator("vector-index", 0, Long.MAX_VALUE);
                 Dataset dataset = open(memory, uri, OptionalLong.empty()).orElseThrow(() ->
                         new IllegalStateException("no dataset " + uri))) {
                long rows = dataset.countRows();
                if (rows < MIN_INDEXED_ROWS) {
                    throw new IllegalStateException("a vector index needs at least " + MIN_INDEXED_ROWS
                            + " rows; " + uri + " has " + rows);
                }
                int dimensions = dimensionsOf(dataset);
                int partitions = (int) Math.max(1, Math.min(4_096, Math.round(Math.sqrt(rows))));
                VectorIndexParams vectors = VectorIndexParams.withIvfPqParams(DistanceType.Cosine,
                        new IvfBuildParams.Builder().setNumPartitions(partitions).build(),
                        new PQBuildParams.Builder().setNumSubVectors(subVectors(dimensions)).setNumBits(8).build());
                dataset.createIndex(List.of(ChunkTable.VECTOR), IndexType.VECTOR, Optional.of(VECTOR_INDEX),
                        IndexParams.builder().setVectorIndexParams(vectors).build(), true);
                return rows;
            } finally {
                writeLock.unlock();
            }
        });
    }

    /** Writes to one dataset from this process take turns. */
    private Lock writeLockOf(String uri) {
        return writeLocks.computeIfAbsent(uri, key -> new ReentrantLock());
    }

    /** Sub-vectors of about 16 dimensions each; their number must divide the dimensions. */
    private static int subVectors(int dimensions) {
        for (int width = 16; width <= dimensions; width++) {
            if (dimensions % width == 0) {
                return dimensions / width;
            }
        }
        return 1;
    }

    /** Waits for running calls, then releases all Arrow memory. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                latest.close();
                allocator.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private long merge(Dataset dataset, String documentId, List<ChunkRow> rows, BufferAllocator memory) {
        byte[] arrowStream = tableOf(dataset).toArrowStream(rows, memory);
        MergeInsertParams replaceDocument = new MergeInsertParams(KEY_COLUMNS)
                .withMatchedUpdateAll()
                .withNotMatched(MergeInsertParams.WhenNotMatched.InsertAll)
                .withNotMatchedBySourceDeleteIf(ChunkTable.DOCUMENT_ID + " = " + sqlString(documentId))
                .withSkipAutoCleanup(true);
        try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(arrowStream), memory);
                ArrowArrayStream source = ArrowArrayStream.allocateNew(memory)) {
            Data.exportArrayStream(memory, reader, source);
            try (Dataset merged = dataset.mergeInsert(replaceDocument, source).dataset()) {
                long version = merged.version();
                compactWhenFragmented(merged);
                return version;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read back the serialised rows", e);
        }
    }

    /**
     * Every write adds a fragment (and deletion marks to older ones), and scans, merges and
     * searches open every fragment, so writes slow down as a tenant's documents accumulate.
     * Past a threshold the fragments are rewritten into few, in a version of their own holding
     * the same rows; the version just written, which the caller records, is untouched.
     */
    private static void compactWhenFragmented(Dataset dataset) {
        if (dataset.getFragments().size() >= COMPACT_AT_FRAGMENTS) {
            dataset.compact(CompactionOptions.builder().withMaterializeDeletions(true).build());
        }
    }

    private List<ChunkRow> documentRows(String customerId, String model, String documentId, OptionalLong version) {
        Objects.requireNonNull(documentId, "documentId");
        return read(customerId, model, version, List.of(), dataset -> {
            List<ChunkRow> rows = new ArrayList<>();
            scan(dataset, scanOfDocument(documentId, ChunkTable.ALL_COLUMNS),
                    (batch, i) -> rows.add(tableOf(dataset).row(batch, i)));
            rows.sort(Comparator.comparingInt(ChunkRow::chunkIndex));
            return rows;
        });
    }

    /**
     * Like {@link #search(String, String, float[], int)}, over the rows {@code scope} names.
     *
     * @throws IllegalArgumentException also when the scope names a dataset version that does not exist
     */
    public List<ChunkMatch> search(String customerId, String model, float[] query, int k, SearchScope scope) {
        checkQuery(query);
        if (k < 1) {
            throw new IllegalArgumentException("k must be positive, was " + k);
        }
        OptionalLong version = scope.datasetVersion().isPresent()
                ? OptionalLong.of(checkVersion(scope.datasetVersion().getAsLong())) : OptionalLong.empty();
        Optional<String> filter = filterOf(scope);
        Function<Dataset, List<ChunkMatch>> search = dataset -> {
            if (query.length != dimensionsOf(dataset)) {
                // Lance would silently fall back to a full scan with a mismatched key.
                throw new IllegalArgumentException("query vector has " + query.length + " dimensions, the dataset of "
                        + model + " has " + dimensionsOf(dataset));
            }
            // This Lance version applies a filter after choosing the neighbours, so ask for as many
            // more as the filter will drop: the k best rows that pass it are then all among them.
            long dropped = filter.map(f -> dataset.countRows() - dataset.countRows(f)).orElse(0L);
            Query.Builder knn = new Query.Builder()
                    .setColumn(ChunkTable.VECTOR)
                    .setKey(query)
                    .setK((int) Math.min(Integer.MAX_VALUE, k + dropped))
                    .setDistanceType(DistanceType.Cosine);
            if (filter.isPresent() || dataset.listIndexes().isEmpty()) {
                // Filtered searches ask for many more neighbours than k: exact, by brute force.
                knn.setUseIndex(false);
            } else {
                knn.setNprobes(indexSearch.probes()).setRefineFactor(indexSearch.refineFactor());
            }
            ScanOptions.Builder nearest = new ScanOptions.Builder()
                    .nearest(knn.build())
                    .columns(List.of(ChunkTable.DOCUMENT_ID, ChunkTable.DOC_VERSION, ChunkTable.CHUNK_INDEX,
                            ChunkTable.TEXT, ChunkTable.PAGE, ChunkTable.DISTANCE));
            filter.ifPresent(nearest::filter);
            List<ChunkMatch> matches = new ArrayList<>();
            scan(dataset, nearest.build(), (batch, i) -> matches.add(new ChunkMatch(
                    ChunkTable.string(batch, ChunkTable.DOCUMENT_ID, i),
                    ChunkTable.integer(batch, ChunkTable.DOC_VERSION, i),
                    ChunkTable.integer(batch, ChunkTable.CHUNK_INDEX, i),
                    ChunkTable.string(batch, ChunkTable.TEXT, i),
                    ChunkTable.nullableInteger(batch, ChunkTable.PAGE, i),
                    1.0 - ChunkTable.float4(batch, ChunkTable.DISTANCE, i))));
            matches.sort(Comparator.comparingDouble(ChunkMatch::score).reversed()
                    .thenComparing(ChunkMatch::documentId)
                    .thenComparingInt(ChunkMatch::chunkIndex));
            return matches.size() > k ? List.copyOf(matches.subList(0, k)) : matches;
        };
        return version.isPresent()
                ? read(customerId, model, version, List.of(), search)
                : whileOpen(() -> latest.withLatest(datasetUri(customerId, model), List.of(), search));
    }

    private static Optional<String> filterOf(SearchScope scope) {
        List<String> conditions = new ArrayList<>();
        scope.documentId().ifPresent(id -> conditions.add(ChunkTable.DOCUMENT_ID + " = " + sqlString(id)));
        if (!scope.excluded().isEmpty()) {
            conditions.add(ChunkTable.DOCUMENT_ID + " NOT IN (" + scope.excluded().stream().sorted()
                    .map(LanceChunkStore::sqlString).collect(Collectors.joining(", ")) + ")");
        }
        return conditions.isEmpty() ? Optional.empty() : Optional.of(String.join(" AND ", conditions));
    }

    private static ScanOptions scanOfDocument(String documentId, List<String> columns) {
        return new ScanOptions.Builder()
                .columns(columns)
                .filter(ChunkTable.DOCUMENT_ID + " = " + sqlString(documentId))
                .build();
    }

    private interface RowVisitor {
        void visit(VectorSchemaRoot batch, int row);
    }

    private static void scan(Dataset dataset, ScanOptions options, RowVisitor visitor) {
        LanceScanner scanner = dataset.newScan(options);
        try (ArrowReader reader = scanner.scanBatches()) {
            while (reader.loadNextBatch()) {
                VectorSchemaRoot batch = reader.getVectorSchemaRoot();
                for (int i = 0; i < batch.getRowCount(); i++) {
                    visitor.visit(batch, i);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot scan " + dataset.uri(), e);
        } finally {
            close(scanner);
        }
    }

    private static void close(LanceScanner scanner) {
        try {
            scanner.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot close a Lance scanner", e);
        }
    }

    private <T> T read(String customerId, String model, OptionalLong version, T absent, Function<Dataset, T> action) {
        String uri = datasetUri(customerId, model);
        return whileOpen(() -> {
            try (BufferAllocator memory = allocator.newChildAllocator("read", 0, Long.MAX_VALUE)) {
                Optional<Dataset> opened = open(memory, uri, version);
                if (opened.isEmpty()) {
                    return absent;
                }
                try (Dataset dataset = opened.get()) {
                    return action.apply(dataset);
                }
            }
        });
    }

    private Optional<Dataset> open(BufferAllocator memory, String uri, OptionalLong version) {
        ReadOptions.Builder options = new ReadOptions.Builder().setStorageOptions(storageOptions);
        version.ifPresent(v -> options.setVersion((int) v));
        Dataset dataset;
        try {
            dataset = Dataset.open(memory, uri, options.build());
        } catch (IllegalArgumentException e) {
            // Lance reports a missing dataset (no _versions directory) only through the message.
            if (version.isEmpty() && String.valueOf(e.getMessage()).contains("was not found")) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.of(dataset);
    }

    /** Another pipeline instance may create the dataset at the same moment; then its dataset is used. */
    private Dataset createOrOpen(BufferAllocator memory, String uri, int dimensions) {
        try {
            return create(memory, uri, dimensions);
        } catch (RuntimeException e) {
            return open(memory, uri, OptionalLong.empty()).orElseThrow(() -> e);
        }
    }

    private Dataset create(BufferAllocator memory, String uri, int dimensions) {
        return Dataset.create(memory, uri, tableFor(dimensions).schema(), new WriteParams.Builder()
                .withMode(WriteParams.WriteMode.CREATE)
                .withStorageOptions(storageOptions)
                .build());
    }

    private ChunkTable tableFor(int dimensions) {
        return tables.computeIfAbsent(dimensions, ChunkTable::new);
    }

    private ChunkTable tableOf(Dataset dataset) {
        return tableFor(dimensionsOf(dataset));
    }

    /**
     * New datasets get auto-cleanup settings that delete untagged versions older than 14 days on
     * every 20th commit; those versions are the document history, so the settings are removed.
     * Checked on every write, so a crash between creating a dataset and removing them is healed.
     */
    @SuppressWarnings("deprecation")
    private static void keepAllVersions(Dataset dataset) {
        Set<String> present = new HashSet<>(dataset.getConfig().keySet());
        present.retainAll(AUTO_CLEANUP_KEYS);
        if (!present.isEmpty()) {
            dataset.deleteConfigKeys(present);
        }
    }

    private static int dimensionsOf(Dataset dataset) {
        Field vector = dataset.getSchema().findField(ChunkTable.VECTOR);
        if (!(vector.getType() instanceof ArrowType.FixedSizeList list)) {
            throw new IllegalStateException(dataset.uri() + " stores vectors of type " + vector.getType()
                    + ", not fixed-size lists");
        }
        return list.getListSize();
    }

    private void checkRows(String model, String documentId, List<ChunkRow> rows) {
        Objects.requireNonNull(rows, "rows");
        Set<Integer> indexes = new HashSet<>();
        for (ChunkRow row : rows) {
            if (!row.documentId().equals(documentId)) {
                throw new IllegalArgumentException("row of document " + row.documentId() + " in rows of " + documentId);
            }
            if (!row.embeddingModel().equals(model)) {
                throw new IllegalArgumentException("row embedded with " + row.embeddingModel()
                        + " cannot go into the dataset of " + model);
            }
            if (row.vector().length != rows.getFirst().vector().length) {
                throw new IllegalArgumentException("chunk " + row.chunkIndex() + " has a vector of "
                        + row.vector().length + " dimensions, chunk " + rows.getFirst().chunkIndex() + " one of "
                        + rows.getFirst().vector().length);
            }
            if (!indexes.add(row.chunkIndex())) {
                throw new IllegalArgumentException("chunk index " + row.chunkIndex() + " appears twice");
            }
        }
    }

    private void checkQuery(float[] query) {
        Objects.requireNonNull(query, "query");
        boolean nonZero = false;
        for (float value : query) {
            if (!Float.isFinite(value)) {
                throw new IllegalArgumentException("query vector contains " + value);
            }
            nonZero |= value != 0;
        }
        if (!nonZero) {
            throw new IllegalArgumentException("query vector is zero; cosine similarity is undefined");
        }
    }

    private static long checkVersion(long datasetVersion) {
        if (datasetVersion < 1 || datasetVersion > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("no dataset version " + datasetVersion);
        }
        return datasetVersion;
    }

    private String datasetUri(String customerId, String model) {
        return root + "/" + pathSegment("customer id", customerId) + "/chunks-" + pathSegment("model id", model)
                + ".lance";
    }

    /** Tenant and model ids become path segments: only a safe alphabet, and never "." or "..". */
    private static String pathSegment(String what, String value) {
        Objects.requireNonNull(value, what);
        if (!SAFE_NAME.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw new IllegalArgumentException(what + " must be 1 to 128 of [A-Za-z0-9._-] and not . or ..: '"
                    + value + "'");
        }
        return value;
    }

    private static String sqlString(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /**
     * The native merge reads the exported row stream on its own thread and may release the last
     * batch a moment after it returns; closing the allocator before that would report a leak (and
     * leave the allocator open). Waits briefly for the release.
     */
    private static void closeOnceReleased(BufferAllocator memory) {
        long deadline = System.nanoTime() + RELEASE_WAIT.toNanos();
        while (memory.getAllocatedMemory() != 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        memory.close();
    }

    private <T> T whileOpen(Supplier<T> call) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the chunk store is closed");
            }
            return call.get();
        } finally {
            lifecycle.readLock().unlock();
        }
    }
}
