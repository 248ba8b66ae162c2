package io.dynrag.bench;

import io.dynrag.domain.search.SearchMode;
import io.dynrag.domain.search.SearchOptions;
import io.dynrag.domain.search.SearchScope;
import io.dynrag.pipeline.embedding.MiniLmEmbeddingModel;
import io.dynrag.vectorstore.ChunkSearcher;
import io.dynrag.vectorstore.LanceChunkStore;
import io.dynrag.vectorstore.LanceLocation;
import io.dynrag.vectorstore.QueryEmbedder;
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
import java.util.Locale;
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
                try (LanceChunkStore tuned = new LanceChunkStore(LanceLocation.local(root), setting)) {
                    results.add(measure(indexed(setting), tuned, asked, exact));
                }
            }
            return results;
        } finally {
            BenchSystem.deleteRecursively(root);
        }
    }

    /** The share of the dataset's rows each filter keeps, as a set of documents (a metadata filter's answer). */
    static final double[] SELECTIVITIES = {0.5, 0.1, 0.01, 0.001};
    /** Documents of the filtered searches' dataset: 1,000 of them in 100,000 chunks, 1 in a 0.1% filter. */
    private static final int FILTERED_ROWS_PER_DOCUMENT = 100;

    /**
     * One filter's figures: its search latency, and how many of the exact top 10 within the filter it returned.
     *
     * @param documents the documents the filter keeps
     * @param rows      their rows
     * @param way       "none" without a vector index, "default" with it, or the way forced on every filter
     */
    record FilterResult(double selectivity, int documents, int rows, String way, long[] micros,
                        double recall) {
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
            int documents = 0;
            for (; vectors.size() < chunks; documents++) {
                store.replaceDocument(CUSTOMER, MODEL, "doc-" + documents, rows("doc-" + documents,
                        Math.min(FILTERED_ROWS_PER_DOCUMENT, chunks - vectors.size())));
            }
            notes.append(String.format("Wrote %,d chunks of %,d documents in %.1f s. ", vectors.size(), documents,
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
                for (double selectivity : SELECTIVITIES) {
                    int kept = (int) Math.max(1, Math.round(documents * selectivity));
                    results.add(measureFiltered(store, asked, selectivity, kept, vectorIndex ? "default" : "none"));
                }
            }
            // Where comparing every kept row stops paying: both ways at every selectivity.
            for (FilterWay way : FilterWay.values()) {
                try (LanceChunkStore forced = new LanceChunkStore(LanceLocation.local(root),
                        new IndexSearch(IndexSearch.DEFAULT.probes(), IndexSearch.DEFAULT.refineFactor(),
                                way.exactRows))) {
                    for (double selectivity : SELECTIVITIES) {
                        int kept = (int) Math.max(1, Math.round(documents * selectivity));
                        results.add(measureFiltered(forced, asked, selectivity, kept, way.label));
                    }
                }
            }
            return results;
        } finally {
            BenchSystem.deleteRecursively(root);
        }
    }

    /** Searches within the first {@code kept} documents, whose rows come first among the vectors. */
    /** The two ways a filtered search can take on an indexed dataset, forced for every filter. */
    private enum FilterWay {
        COMPARED("every kept row compared", Long.MAX_VALUE),
        OVER_FETCHED("index asked for more", 0);

        final String label;
        final long exactRows;

        FilterWay(String label, long exactRows) {
            this.label = label;
            this.exactRows = exactRows;
        }
    }

    private FilterResult measureFiltered(LanceChunkStore store, List<float[]> asked, double selectivity, int kept,
                                         String way) {
        Set<String> documents = new HashSet<>();
        for (int d = 0; d < kept; d++) {
            documents.add("doc-" + d);
        }
        int end = Math.min(vectors.size(), kept * FILTERED_ROWS_PER_DOCUMENT);
        SearchScope scope = SearchScope.LATEST.onlyDocuments(documents);
        for (int warm = 0; warm < Math.min(10, asked.size()); warm++) {
            store.search(CUSTOMER, MODEL, asked.get(warm), K, scope);
        }
        // The first searches start reading the fragments' rows into memory in the background: the figures
        // are of the steady state, with them read.
        store.awaitVectorReads();
        long[] micros = new long[asked.size()];
        long found = 0;
        long expected = 0;
        for (int q = 0; q < asked.size(); q++) {
            Set<Integer> exact = exactTopK(asked.get(q), 0, end);
            long started = System.nanoTime();
            List<ChunkMatch> matches = store.search(CUSTOMER, MODEL, asked.get(q), K, scope);
            micros[q] = (System.nanoTime() - started) / 1_000;
            expected += exact.size();
            for (ChunkMatch match : matches) {
                int row = Integer.parseInt(match.documentId().substring(4)) * FILTERED_ROWS_PER_DOCUMENT
                        + match.chunkIndex();
                if (exact.contains(row)) {
                    found++;
                }
            }
        }
        return new FilterResult(selectivity, kept, end, way, micros, (double) found / expected);
    }

    private static final int WORDS_PER_CHUNK = 150;
    /** The most frequent words, left out of queries as search leaves out common words. */
    private static final int COMMON_WORDS = 50;

    /**
     * Search latency per mode on {@code chunks} rows of one tenant whose texts are drawn from a Zipf
     * law over a synthetic vocabulary, with the vector index built: the store and ranking the search
     * endpoint uses, the query's embedding excluded (each query comes with a vector near a row).
     */
    List<Result> modes(int chunks, int queries, StringBuilder notes) {
        Path root = temporaryRoot("dynrag-modes-bench-");
        ZipfWords words = new ZipfWords(random, 30_000);
        try (LanceChunkStore store = new LanceChunkStore(root)) {
            long writeStarted = System.nanoTime();
            for (int d = 0; vectors.size() < chunks; d++) {
                int count = Math.min(FILTERED_ROWS_PER_DOCUMENT, chunks - vectors.size());
                List<ChunkRow> rows = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    StringBuilder text = new StringBuilder();
                    for (int w = 0; w < WORDS_PER_CHUNK; w++) {
                        text.append(words.word(words.draw())).append(w % 12 == 11 ? ". " : " ");
                    }
                    float[] vector = around(topics[random.nextInt(TOPICS)], 0.6);
                    vectors.add(vector);
                    rows.add(new ChunkRow("doc-" + d, 1, i, text.toString(), WORDS_PER_CHUNK,
                            Integer.toHexString(text.hashCode()), 0, text.length(), null, MODEL, vector));
                }
                store.replaceDocument(CUSTOMER, MODEL, "doc-" + d, rows);
            }
            long buildStarted = System.nanoTime();
            store.buildVectorIndex(CUSTOMER, MODEL);
            Map<String, float[]> queryVectors = new java.util.LinkedHashMap<>();
            while (queryVectors.size() < queries) {
                StringBuilder query = new StringBuilder();
                int terms = 2 + random.nextInt(4);
                for (int t = 0; t < terms; t++) {
                    int word;
                    do {
                        word = words.draw();
                    } while (word < COMMON_WORDS);
                    query.append(t == 0 ? "" : " ").append(words.word(word));
                }
                queryVectors.put(query.toString(), around(vectors.get(random.nextInt(vectors.size())), 0.5));
            }
            ChunkSearcher searcher = new ChunkSearcher((customer, model, query) ->
                    new QueryEmbedder.EmbeddedQuery(MODEL, queryVectors.get(query)), store);
            long keywordStarted = System.nanoTime();
            searcher.search(CUSTOMER, MODEL, "warm", K, SearchScope.LATEST, SearchOptions.of("keyword", null, null,
                    null));
            notes.append(String.format(Locale.ROOT, "Wrote %,d chunks in %.1f s, built the IVF-PQ index in %.1f s "
                            + "and the keyword index (at the first keyword search) in %.1f s. ", vectors.size(),
                    (buildStarted - writeStarted) / 1e9, (keywordStarted - buildStarted) / 1e9,
                    (System.nanoTime() - keywordStarted) / 1e9));
            List<Result> results = new ArrayList<>();
            for (SearchMode mode : SearchMode.values()) {
                SearchOptions options = SearchOptions.of(mode.name().toLowerCase(Locale.ROOT), null, null, null);
                List<String> asked = List.copyOf(queryVectors.keySet());
                asked.forEach(query -> searcher.search(CUSTOMER, MODEL, query, K, SearchScope.LATEST, options));
                long[] micros = new long[asked.size()];
                for (int q = 0; q < asked.size(); q++) {
                    long started = System.nanoTime();
                    searcher.search(CUSTOMER, MODEL, asked.get(q), K, SearchScope.LATEST, options);
                    micros[q] = (System.nanoTime() - started) / 1_000;
                }
                results.add(new Result(mode.name().toLowerCase(Locale.ROOT), micros, Double.NaN));
            }
            return results;
        } finally {
            BenchSystem.deleteRecursively(root);
        }
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
