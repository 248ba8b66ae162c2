package io.dynrag.bench;

import io.dynrag.domain.search.SearchScope;
import io.dynrag.embedded.EmbeddedS3;
import io.dynrag.pipeline.embedding.MiniLmEmbeddingModel;
import io.dynrag.vectorstore.LanceChunkStore;
import io.dynrag.vectorstore.LanceLocation;
import io.dynrag.vectorstore.dataset.ChunkRow;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The same Lance work on a local directory and on the embedded S3 API server (what {@code dev}
 * can run Lance on): document writes as the pipeline makes them, vector and keyword searches as the
 * API makes them, and the time from a write's start until a second store (what another process
 * holds: its own handles and caches) finds the document. Vectors are random unit vectors of the
 * local model's width; the latency depends on the storage, not on what the vectors mean.
 */
final class LanceStorageBench {

    private static final String CUSTOMER = "storage-benchmark";
    private static final String MODEL = MiniLmEmbeddingModel.ID;
    private static final int DIMENSIONS = MiniLmEmbeddingModel.DIMENSIONS;
    private static final int CHUNKS_PER_DOCUMENT = 20;
    private static final int QUERIES = 200;
    private static final String KEY = "bench";
    private static final String SECRET = "bench-secret";

    /** One storage's figures, each in microseconds. */
    record Result(String storage, long[] writes, long[] searches, long[] keywordSearches, long[] searchable) {
    }

    private final Random random;

    LanceStorageBench(long seed) {
        this.random = new Random(seed);
    }

    static void benchmark(BenchCommand.Options options, PrintStream out) {
        List<Result> results = new LanceStorageBench(options.seed()).run(options.documents(), options.samples());
        out.println("## Lance storage: local directory vs the embedded S3 API server, " + options.documents()
                + " documents of " + CHUNKS_PER_DOCUMENT + " chunks in one tenant's dataset");
        out.println();
        MarkdownTable table = new MarkdownTable("storage", "write p50 ms", "write p99 ms", "search p50 ms",
                "search p99 ms", "keyword p50 ms", "keyword p99 ms", "searchable in another store p50 ms", "p99 ms");
        for (Result result : results) {
            table.row(result.storage(), millis(result.writes(), 50), millis(result.writes(), 99),
                    millis(result.searches(), 50), millis(result.searches(), 99),
                    millis(result.keywordSearches(), 50), millis(result.keywordSearches(), 99),
                    millis(result.searchable(), 50), millis(result.searchable(), 99));
        }
        table.print(out);
        out.println("Writes: each replaces one document's rows (one commit). Searches: top 10 of the latest version,"
                + " brute force, by a store that did not write. Searchable: a write by one store until the other"
                + " store's next search finds the document (" + options.samples() + " samples).");
        out.println();
    }

    List<Result> run(int documents, int samples) {
        Path work = temporaryDirectory();
        try (EmbeddedS3 s3 = startS3(work.resolve("s3"))) {
            List<Result> results = new ArrayList<>();
            results.add(measure("local directory", LanceLocation.local(work.resolve("local")), documents, samples));
            results.add(measure("embedded S3 server", LanceLocation.s3("s3://lance/bench", s3.endpoint(), "us-east-1",
                    KEY, SECRET), documents, samples));
            return results;
        } finally {
            delete(work);
        }
    }

    private Result measure(String storage, LanceLocation location, int documents, int samples) {
        try (LanceChunkStore writer = new LanceChunkStore(location);
             LanceChunkStore reader = new LanceChunkStore(location)) {
            long[] writes = new long[documents];
            for (int d = 0; d < documents; d++) {
                long started = System.nanoTime();
                writer.replaceDocument(CUSTOMER, MODEL, "doc-" + d, rows("doc-" + d));
                writes[d] = micros(started);
            }
            long[] searches = new long[QUERIES];
            long[] keywords = new long[QUERIES];
            reader.search(CUSTOMER, MODEL, unitVector(random), 10);
            reader.keywordSearch(CUSTOMER, MODEL, "word7", 10, SearchScope.LATEST);
            for (int q = 0; q < QUERIES; q++) {
                float[] query = unitVector(random);
                long started = System.nanoTime();
                reader.search(CUSTOMER, MODEL, query, 10);
                searches[q] = micros(started);
                started = System.nanoTime();
                reader.keywordSearch(CUSTOMER, MODEL, "word" + random.nextInt(50), 10, SearchScope.LATEST);
                keywords[q] = micros(started);
            }
            long[] searchable = new long[samples];
            for (int s = 0; s < samples; s++) {
                String documentId = "new-" + s;
                long started = System.nanoTime();
                writer.replaceDocument(CUSTOMER, MODEL, documentId, rows(documentId));
                while (reader.search(CUSTOMER, MODEL, unitVector(random), 1, SearchScope.LATEST.onlyDocument(documentId))
                        .isEmpty()) {
                    Thread.onSpinWait();
                }
                searchable[s] = micros(started);
            }
            return new Result(storage, writes, searches, keywords, searchable);
        }
    }

    private List<ChunkRow> rows(String documentId) {
        return rows(random, documentId, 1, CHUNKS_PER_DOCUMENT);
    }

    /**
     * A version of a synthetic document, as the storage benchmarks write it: chunks of 40 random words and
     * random unit vectors of MiniLM's width.
     */
    static List<ChunkRow> rows(Random random, String documentId, int version, int chunks) {
        List<ChunkRow> rows = new ArrayList<>(chunks);
        for (int i = 0; i < chunks; i++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 40; w++) {
                text.append("word").append(random.nextInt(500)).append(' ');
            }
            String chunk = text.toString().strip();
            rows.add(new ChunkRow(documentId, version, i, chunk, 40, documentId + "-" + version + "-" + i, i * 300,
                    i * 300 + chunk.length(), null, MODEL, unitVector(random)));
        }
        return rows;
    }

    private static float[] unitVector(Random random) {
        float[] vector = new float[DIMENSIONS];
        double norm = 0;
        for (int d = 0; d < DIMENSIONS; d++) {
            vector[d] = (float) random.nextGaussian();
            norm += vector[d] * vector[d];
        }
        for (int d = 0; d < DIMENSIONS; d++) {
            vector[d] /= (float) Math.sqrt(norm);
        }
        return vector;
    }

    /** The server keeps buckets as directories: the bucket is made by making its directory. */
    private static EmbeddedS3 startS3(Path directory) {
        try {
            Files.createDirectories(directory.resolve("lance"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return EmbeddedS3.start(directory, 0, KEY, SECRET);
    }

    private static long micros(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000;
    }

    private static String millis(long[] micros, double percentile) {
        return String.format(Locale.ROOT, "%.1f", Percentiles.of(micros, percentile) / 1000.0);
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("dynrag-storage-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + directory, e);
        }
    }
}
