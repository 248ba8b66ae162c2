package io.dynrag.vectorstore.search;

/**
 * How a search uses a dataset's vector index: how many of its IVF partitions are probed, how many
 * times k candidates found by the quantised vectors are re-ranked by their exact distance, and up to
 * how many rows a filtered search compares one by one instead of asking the index. More of the first
 * two raises recall and latency. {@link #DEFAULT} is the search benchmark's choice at 100,000 rows
 * (316 partitions): recall@10 0.99 in 7 ms; re-ranking fewer than 10 x k candidates cost far more
 * recall than probing fewer partitions.
 *
 * @param filteredExactRows a filtered search keeping at most this many rows compares each with the query
 *                          (exact); one keeping more asks the index for as many more neighbours as the
 *                          filter drops. The filter benchmark's crossing point sets the default.
 * @param vectorsInMemoryBytes the rows those comparisons read are kept in memory, per fragment, up to this
 *                          many bytes for all datasets together (0: always read from storage); by default
 *                          an eighth of the heap
 */
public record IndexSearch(int probes, int refineFactor, long filteredExactRows, long vectorsInMemoryBytes) {

    public static final long DEFAULT_FILTERED_EXACT_ROWS = 20_000;
    public static final long DEFAULT_VECTORS_IN_MEMORY_BYTES = Runtime.getRuntime().maxMemory() / 8;
    public static final IndexSearch DEFAULT = new IndexSearch(8, 10);

    public IndexSearch {
        if (probes < 1 || refineFactor < 1 || filteredExactRows < 0 || vectorsInMemoryBytes < 0) {
            throw new IllegalArgumentException("probes and refine factor must be positive, the filtered exact rows "
                    + "and bytes in memory not negative, were " + probes + ", " + refineFactor + ", "
                    + filteredExactRows + " and " + vectorsInMemoryBytes);
        }
    }

    public IndexSearch(int probes, int refineFactor, long filteredExactRows) {
        this(probes, refineFactor, filteredExactRows, DEFAULT_VECTORS_IN_MEMORY_BYTES);
    }

    public IndexSearch(int probes, int refineFactor) {
        this(probes, refineFactor, DEFAULT_FILTERED_EXACT_ROWS);
    }
}
