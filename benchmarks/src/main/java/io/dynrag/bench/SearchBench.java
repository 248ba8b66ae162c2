package io.dynrag.bench;

import io.dynrag.domain.search.SearchScope;
import io.dynrag.pipeline.embedding.MiniLmEmbeddingModel;
import io.dynrag.vectorstore.LanceChunkStore;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.search.ChunkMatch;
import io.dynrag.vectorstore.search.IndexSearch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Nearest-neighbour search in one tenant's dataset of many chunks, through the store the search
 * endpoint uses, without and with the vector index; recall@10 against exact results computed
 * here by brute force. The vectors are synthetic, clustered like embeddings of related texts
 * (unit vectors around a thousand topics), because embedding 100,000 real chunks would take the
 * machine hours; latency and recall depend on the vectors' geometry, not on where they came from.
 */
final class SearchBench {

    /** One configuration's figures. */
    record Result(String name, long[] micros, double recall) {
    }

    private static final String CUSTOMER = "search-benchmark";
    private static final String MODEL = MiniLmEmbeddingModel.ID;
    private static final int DIMENSIONS = MiniLmEmbeddingModel.DIMENSIONS;
    private static final int TOPICS = 1_000;
    private static final int ROWS_PER_DOCUMENT = 1_000;
    private static final int K = 10;
    /** Index settings compared with the default: fewer partitions probed, fewer candidates re-ranked. */
    private static final List<IndexSearch> SETTINGS = List.of(new IndexSearch(24, 10), new IndexSearch(16, 10),
            new IndexSearch(4, 10), new IndexSearch(8, 15), new IndexSearch(8, 5));

    private final Random random;
    private final float[][] topics;
    private final List<float[]> vectors = new ArrayList<>();

    SearchBench(long seed) {
        this.random = new Random(seed);
        this.topics = new float[TOPICS][];
        for (int t = 0; t < TOPICS; t++) {
            topics[t] = around(null, 0);
        }
    }

    /** Runs the whole benchmark; the dataset lives in a temporary directory deleted afterwards. */
    List<Result> run(int chunks, int queries, StringBuilder notes) {
        Path root = temporaryRoot("dynrag-search-bench-");
        try (LanceChunkStore store = new LanceChunkStore(root)) {
            long writeStarted = System.nanoTime();
            for (int d = 0; d * ROWS_PER_DOCUMENT < chunks; d++) {
                store.replaceDocument(CUSTOMER, MODEL, "doc-" + d, rows("doc-" + d,
                        Math.min(ROWS_PER_DOCUMENT, chunks - d * ROWS_PER_DOCUMENT)));
            }
            notes.append(String.format("Wrote %,d chunks in %.1f s. ", vectors.size(),
                    (System.nanoTime() - writeStarted) / 1e9));
            List<float[]> asked = queries(queries);
            List<Set<Integer>> exact = asked.stream().map(this::exactTopK).toList();
            List<Result> results = new ArrayList<>();
            results.add(measure("brute force (no index)", store, asked, exact));

            // Searches keep being answered while the index is built beside them.
            CompletableFuture<Long> build = CompletableFuture.supplyAsync(() -> store.buildVectorIndex(CUSTOMER,
                    MODEL));
            long buildStarted = System.nanoTime();
            List<Long> during = new ArrayList<>();
            int next = 0;
            while (!build.isDone()) {
                long started = System.nanoTime();
                store.search(CUSTOMER, MODEL, asked.get(next++ % asked.size()), K);
                during.add((System.nanoTime() - started) / 1_000);
            }
            build.join();
            notes.append(String.format("Built the IVF-PQ index in %.1f s, answering %d searches meanwhile. ",
                    (System.nanoTime() - buildStarted) / 1e9, during.size()));
            results.add(new Result("brute force, while the index is built", during.stream()
                    .mapToLong(Long::longValue).toArray(), Double.NaN));
            results.add(measure(indexed(IndexSearch.DEFAULT) + ", the default", store, asked, exact));
            for (IndexSearch setting : SETTINGS) {
                try (LanceChunkStore tuned = new LanceChunkStore(root.toString(), Map.of(), setting)) {
                    results.add(measure(indexed(setting), tuned, asked, exact));
                }
            }
            return results;
        } finally {
            BenchSystem.deleteRecursively(root);
        }
    }

    /** The share of the dataset's rows each filter keeps: one document holds exactly that share. */
    static final double[] SELECTIVITIES = {0.5, 0.1, 0.01, 0.001};

    /** One filter's figures: its search latency, and how many of the exact top 10 within the filter it returned. */
    record FilterResult(double selectivity, int rows, boolean vectorIndex, long[] micros, double recall) {
    }

    /**
     * Searches filtered to one document ({@code documentId}, the filter the search endpoint has),
     * where that document holds 50%, 10%, 1% or 0.1% of the tenant's {@code chunks} rows; before
     * and after the vector index is built. Recall is against the exact top 10 among the filtered
     * rows, so 1.0 means the filter was applied before the neighbours were chosen.
     */
    List<FilterResult> filtered(int chunks, int queries, StringBuilder notes) {
        Path root = temporaryRoot("dynrag-filter-bench-");
        try (LanceChunkStore store = new LanceChunkStore(root)) {
            long writeStarted = System.nanoTime();
            int[] starts = new int[SELECTIVITIES.length];
            int[] ends = new int[SELECTIVITIES.length];
            for (int s = 0; s < SELECTIVITIES.length; s++) {
                starts[s] = vectors.size();
                int rows = (int) Math.max(1, Math.round(chunks * SELECTIVITIES[s]));
                store.replaceDocument(CUSTOMER, MODEL, "filtered-" + s, rows("filtered-" + s, rows));
                ends[s] = vectors.size();
            }
            for (int d = 0; vectors.size() < chunks; d++) {
                store.replaceDocument(CUSTOMER, MODEL, "doc-" + d, rows("doc-" + d,
                        Math.min(ROWS_PER_DOCUMENT, chunks - vectors.size())));
            }
            notes.append(String.format("Wrote %,d chunks in %.1f s. ", vectors.size(),
                    (System.nanoTime() - writeStarted) / 1e9));
            List<float[]> asked = queries(queries);
            List<FilterResult> results = new ArrayList<>();
            for (boolean vectorIndex : new boolean[]{false, true}) {
                if (vectorIndex) {
                    long buildStarted = System.nanoTime();
                    store.buildVectorIndex(CUSTOMER, MODEL);
                    notes.append(String.format("Built the IVF-PQ index in %.1f s. ",
                            (System.nanoTime() - buildStarted) / 1e9));
                }
                for (int s = 0; s < SELECTIVITIES.length; s++) {
                    results.add(measureFiltered(store, asked, s, starts[s], ends[s], vectorIndex));
                }
            }
            return results;
        } finally {
            BenchSystem.deleteRecursively(root);
        }
    }

    private FilterResult measureFiltered(LanceChunkStore store, List<float[]> asked, int filter, int start, int end,
                                         boolean vectorIndex) {
        String documentId = "filtered-" + filter;
        SearchScope scope = SearchScope.LATEST.onlyDocument(documentId);
        for (int warm = 0; warm < Math.min(10, asked.size()); warm++) {
            store.search(CUSTOMER, MODEL, asked.get(warm), K, scope);
        }
        long[] micros = new long[asked.size()];
        long found = 0;
        long expected = 0;
        for (int q = 0; q < asked.size(); q++) {
            Set<Integer> exact = exactTopK(asked.get(q), start, end);
            long started = System.nanoTime();
            List<ChunkMatch> matches = store.search(CUSTOMER, MODEL, asked.get(q), K, scope);
            micros[q] = (System.nanoTime() - started) / 1_000;
            expected += exact.size();
            for (ChunkMatch match : matches) {
                if (match.documentId().equals(documentId) && exact.contains(start + match.chunkIndex())) {
                    found++;
                }
            }
        }
        return new FilterResult(SELECTIVITIES[filter], end - start, vectorIndex, micros, (double) found / expected);
    }

    private static Path temporaryRoot(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Queries near rows of the dataset, as real queries are near the texts that answer them. */
    private List<float[]> queries(int count) {
        List<float[]> asked = new ArrayList<>();
        for (int q = 0; q < count; q++) {
            asked.add(around(vectors.get(random.nextInt(vectors.size())), 0.5));
        }
        return asked;
    }

    private static String indexed(IndexSearch setting) {
        return "vector index (IVF-PQ, " + setting.probes() + " probes, refine x" + setting.refineFactor() + ")";
    }

    private Result measure(String name, LanceChunkStore store, List<float[]> asked, List<Set<Integer>> exact) {
        for (int warm = 0; warm < Math.min(10, asked.size()); warm++) {
            store.search(CUSTOMER, MODEL, asked.get(warm), K);
        }
        long[] micros = new long[asked.size()];
        long found = 0;
        for (int q = 0; q < asked.size(); q++) {
            long started = System.nanoTime();
            List<ChunkMatch> matches = store.search(CUSTOMER, MODEL, asked.get(q), K);
            micros[q] = (System.nanoTime() - started) / 1_000;
            for (ChunkMatch match : matches) {
                int row = Integer.parseInt(match.documentId().substring(4)) * ROWS_PER_DOCUMENT + match.chunkIndex();
                if (exact.get(q).contains(row)) {
                    found++;
                }
            }
        }
        return new Result(name, micros, (double) found / (K * asked.size()));
    }

    /** The rows of the {@code k} largest dot products (the vectors are unit length: cosine). */
    private Set<Integer> exactTopK(float[] query) {
        return exactTopK(query, 0, vectors.size());
    }

    /** Like {@link #exactTopK(float[])}, among the rows from {@code from} (inclusive) to {@code to}. */
    private Set<Integer> exactTopK(float[] query, int from, int to) {
        int[] best = new int[K];
        double[] scores = new double[K];
        Arrays.fill(scores, Double.NEGATIVE_INFINITY);
        for (int row = from; row < to; row++) {
            float[] vector = vectors.get(row);
            double dot = 0;
            for (int i = 0; i < DIMENSIONS; i++) {
                dot += vector[i] * query[i];
            }
            if (dot > scores[K - 1]) {
                int at = K - 1;
                while (at > 0 && scores[at - 1] < dot) {
                    scores[at] = scores[at - 1];
                    best[at] = best[at - 1];
                    at--;
                }
                scores[at] = dot;
                best[at] = row;
            }
        }
        Set<Integer> rows = new HashSet<>();
        for (int i = 0; i < Math.min(K, to - from); i++) {
            rows.add(best[i]);
        }
        return rows;
    }

    private List<ChunkRow> rows(String documentId, int count) {
        List<ChunkRow> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            float[] vector = around(topics[random.nextInt(TOPICS)], 0.6);
            vectors.add(vector);
            String text = "synthetic chunk " + i + " of " + documentId;
            rows.add(new ChunkRow(documentId, 1, i, text, 5, Integer.toHexString(text.hashCode()), 0, text.length(),
                    null, MODEL, vector));
        }
        return rows;
    }

    /** A unit vector: {@code center} plus Gaussian noise of the given spread, or random without a center. */
    private float[] around(float[] center, double spread) {
        float[] vector = new float[DIMENSIONS];
        double norm = 0;
        for (int i = 0; i < DIMENSIONS; i++) {
            double noise = random.nextGaussian() / Math.sqrt(DIMENSIONS);
            vector[i] = (float) (center == null ? noise : center[i] + spread * noise);
            norm += vector[i] * vector[i];
        }
        for (int i = 0; i < DIMENSIONS; i++) {
            vector[i] /= (float) Math.sqrt(norm);
        }
        return vector;
    }
}
