package io.dynrag.vectorstore.index;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.index.DistanceType;
import com.lancedb.lance.index.IndexParams;
import com.lancedb.lance.index.IndexType;
import com.lancedb.lance.index.vector.IvfBuildParams;
import com.lancedb.lance.index.vector.PQBuildParams;
import com.lancedb.lance.index.vector.VectorIndexParams;
import io.dynrag.vectorstore.dataset.ChunkTable;
import io.dynrag.vectorstore.dataset.Datasets;
import io.dynrag.vectorstore.dataset.WriterFence;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** A dataset's vector index: whether it has one, and building it. */
public final class VectorIndexBuilder {

    /** The fewest rows a vector index is built for: product quantisation trains on 256 at least. */
    public static final int MIN_INDEXED_ROWS = 1_000;
    private static final String VECTOR_INDEX = "vector_index";

    private final Datasets datasets;

    public VectorIndexBuilder(Datasets datasets) {
        this.datasets = datasets;
    }

    /** Whether the latest version of the dataset has a vector index. */
    public boolean hasVectorIndex(String customerId, String model) {
        return datasets.read(customerId, model, OptionalLong.empty(), false,
                dataset -> !dataset.listIndexes().isEmpty());
    }

    /**
     * Builds the dataset's vector index (IVF partitions of product-quantised vectors), replacing
     * any earlier one, in a new dataset version holding the same rows. Writes to the dataset wait
     * while it is built; searches do not.
     *
     * @return the rows indexed
     * @throws IllegalStateException when the dataset has fewer than {@value #MIN_INDEXED_ROWS} rows
     */
    public long build(String customerId, String model) {
        String uri = datasets.paths().datasetUri(customerId, model);
        return datasets.memory().whileOpen(() -> datasets.inTurn(uri, () ->
                datasets.memory().withChild("vector-index", memory -> {
                    try (Dataset dataset = datasets.open(memory, uri, OptionalLong.empty()).orElseThrow(() ->
                            new IllegalStateException("no dataset " + uri))) {
                        return build(dataset, uri);
                    }
                })));
    }

    private static long build(Dataset dataset, String uri) {
        long rows = dataset.countRows(WriterFence.NOT_FENCE);
        if (rows < MIN_INDEXED_ROWS) {
            throw new IllegalStateException("a vector index needs at least " + MIN_INDEXED_ROWS
                    + " rows; " + uri + " has " + rows);
        }
        int dimensions = Datasets.dimensionsOf(dataset);
        int partitions = (int) Math.max(1, Math.min(4_096, Math.round(Math.sqrt(rows))));
        VectorIndexParams vectors = VectorIndexParams.withIvfPqParams(DistanceType.Cosine,
                new IvfBuildParams.Builder().setNumPartitions(partitions).build(),
                new PQBuildParams.Builder().setNumSubVectors(subVectors(dimensions)).setNumBits(8).build());
        dataset.createIndex(List.of(ChunkTable.VECTOR), IndexType.VECTOR, Optional.of(VECTOR_INDEX),
                IndexParams.builder().setVectorIndexParams(vectors).build(), true);
        return rows;
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
}
