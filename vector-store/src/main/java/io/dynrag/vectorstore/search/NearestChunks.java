package io.dynrag.vectorstore.search;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.index.DistanceType;
import com.lancedb.lance.ipc.Query;
import com.lancedb.lance.ipc.ScanOptions;
import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.dataset.ChunkTable;
import io.dynrag.vectorstore.dataset.Datasets;
import io.dynrag.vectorstore.dataset.Scans;
import io.dynrag.vectorstore.dataset.WriterFence;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Nearest-neighbour search by cosine similarity over the rows a {@link SearchScope} names. Searches
 * of the latest version share handles kept open per dataset ({@link LatestDatasets}), so a vector
 * index is read from storage once; searches of an earlier version open their own.
 */
public final class NearestChunks implements AutoCloseable {

    /** Datasets whose handles stay open for searches; each holds its vector index in memory. */
    private static final int MAX_OPEN_FOR_SEARCH = 64;

    private final Datasets datasets;
    private final IndexSearch indexSearch;
    private final LatestDatasets latest;
    private final DocumentRows documentRows = new DocumentRows(MAX_OPEN_FOR_SEARCH);
    private final KeptVectors keptVectors;
    private final FilteredNearest filtered;

    /** @param indexSearch how searches use a vector index; benchmarks compare settings */
    public NearestChunks(Datasets datasets, IndexSearch indexSearch) {
        this.datasets = datasets;
        this.indexSearch = Objects.requireNonNull(indexSearch, "indexSearch");
        this.keptVectors = new KeptVectors(indexSearch.vectorsInMemoryBytes(), datasets.memory(),
                (memory, uri, version) -> datasets.open(memory, uri, OptionalLong.of(version)).orElseThrow());
        this.filtered = new FilteredNearest(documentRows, keptVectors);
        this.latest = new LatestDatasets(datasets.memory().root(),
                (memory, uri) -> datasets.open(memory, uri, OptionalLong.empty()), MAX_OPEN_FOR_SEARCH);
    }

    /**
     * The {@code k} chunks nearest to {@code query}, best first, among the rows {@code scope} names.
     * Empty if the tenant has no dataset for the model.
     *
     * @throws IllegalArgumentException if the query does not have the dataset's dimensions, or the
     *     scope names a dataset version that does not exist
     */
    public List<ChunkMatch> search(String customerId, String model, float[] query, int k, SearchScope scope) {
        return search(customerId, model, query, new Depth(k, k), scope);
    }

    /**
     * How far a search looks.
     *
     * @param k          how many of the nearest rows
     * @param exactFirst how many of the first are ranked exactly as a search for that many would rank them;
     *                   the rest, candidates for a fusion, may be ranked by the index's quantised distances
     */
    public record Depth(int k, int exactFirst) {

        public Depth {
            if (k < 1 || exactFirst < 1 || exactFirst > k) {
                throw new IllegalArgumentException("k must be positive and at least exactFirst, were " + k + " and "
                        + exactFirst);
            }
        }
    }

    /** Like {@link #search(String, String, float[], int, SearchScope)}, as far as {@code depth} says. */
    public List<ChunkMatch> search(String customerId, String model, float[] query, Depth depth, SearchScope scope) {
        checkQuery(query);
        return read(customerId, model, scope, dataset -> nearest(dataset, model, query, depth, scope));
    }

    private <T> List<T> read(String customerId, String model, SearchScope scope, Function<Dataset, List<T>> action) {
        OptionalLong version = scope.datasetVersion().isPresent()
                ? OptionalLong.of(Datasets.checkVersion(scope.datasetVersion().getAsLong())) : OptionalLong.empty();
        return version.isPresent()
                ? datasets.read(customerId, model, version, List.of(), action)
                : withLatest(customerId, model, List.of(), action);
    }

    private List<ChunkMatch> nearest(Dataset dataset, String model, float[] query, Depth depth, SearchScope scope) {
        int dimensions = Datasets.dimensionsOf(dataset);
        if (query.length != dimensions) {
            // Lance would silently fall back to a full scan with a mismatched key.
            throw new IllegalArgumentException("query vector has " + query.length + " dimensions, the dataset of "
                    + model + " has " + dimensions);
        }
        int k = depth.k();
        if (!scope.unfiltered()) {
            return filtered.search(dataset, query, k, scope, indexSearch);
        }
        List<ChunkMatch> matches = nearestRows(dataset, query, k, depth.exactFirst());
        if (matches.stream().anyMatch(match -> WriterFence.isFence(match.documentId()))) {
            // The writer fence is a row, rarely among the nearest; then one more row takes its place.
            matches = nearestRows(dataset, query, k + 1, depth.exactFirst()).stream()
                    .filter(match -> !WriterFence.isFence(match.documentId()))
                    .toList();
        }
        return matches.size() > k ? List.copyOf(matches.subList(0, k)) : matches;
    }

    private List<ChunkMatch> nearestRows(Dataset dataset, float[] query, int k, int exactFirst) {
        Query.Builder knn = new Query.Builder()
                .setColumn(ChunkTable.VECTOR)
                .setKey(query)
                .setK(k)
                .setDistanceType(DistanceType.Cosine);
        if (dataset.listIndexes().isEmpty()) {
            knn.setUseIndex(false);
        } else {
            // The index re-ranks refineFactor x k quantised candidates by their exact distance. Re-ranking the
            // same number as a search for exactFirst would keeps its first exactFirst rows exactly as that
            // search ranks them; the candidates after them only need to be near.
            int refine = (int) Math.ceil((double) indexSearch.refineFactor() * exactFirst / k);
            knn.setNprobes(indexSearch.probes()).setRefineFactor(Math.max(1, refine));
        }
        // Texts come with the neighbours: Lance reads them for these rows alone, cheaper than any later scan.
        ScanOptions nearest = new ScanOptions.Builder()
                .nearest(knn.build())
                .columns(List.of(ChunkTable.DOCUMENT_ID, ChunkTable.DOC_VERSION, ChunkTable.CHUNK_INDEX,
                        ChunkTable.TEXT, ChunkTable.PAGE, ChunkTable.DISTANCE))
                .build();
        List<ChunkMatch> matches = new ArrayList<>();
        Scans.scan(dataset, nearest, (batch, i) -> matches.add(new ChunkMatch(
                ChunkTable.string(batch, ChunkTable.DOCUMENT_ID, i),
                ChunkTable.integer(batch, ChunkTable.DOC_VERSION, i),
                ChunkTable.integer(batch, ChunkTable.CHUNK_INDEX, i),
                ChunkTable.string(batch, ChunkTable.TEXT, i),
                ChunkTable.nullableInteger(batch, ChunkTable.PAGE, i),
                1.0 - ChunkTable.float4(batch, ChunkTable.DISTANCE, i))));
        matches.sort(Comparator.comparingDouble(ChunkMatch::score).reversed()
                .thenComparing(ChunkMatch::documentId)
                .thenComparingInt(ChunkMatch::chunkIndex));
        return matches;
    }

    private static void checkQuery(float[] query) {
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

    /**
     * Runs {@code action} on the kept handle of the dataset's latest version, the one searches of
     * the latest version read; {@code absent} when the dataset does not exist. Keyword searches use
     * it too, so neither side opens the dataset (and reads its manifest) anew for every search.
     */
    public <T> T withLatest(String customerId, String model, T absent, Function<Dataset, T> action) {
        return datasets.memory().whileOpen(() ->
                latest.withLatest(datasets.paths().datasetUri(customerId, model), absent, action));
    }

    /** Closes the kept handles of datasets under {@code uriPrefix}, about to be removed. */
    public void forget(String uriPrefix) {
        latest.forget(uriPrefix);
        documentRows.forget(uriPrefix);
        keptVectors.forget(uriPrefix);
    }

    /**
     * Waits until the fragments that searches started reading into memory are read (or failed); tests
     * compare searches from memory with searches from storage.
     */
    public void awaitVectorReads() throws InterruptedException {
        keptVectors.awaitReads();
    }

    /** Stops reading vectors into memory and closes every kept handle; part of closing the store. */
    @Override
    public void close() {
        keptVectors.close();
        latest.close();
    }
}
