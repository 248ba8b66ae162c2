package io.dynrag.bench;

import io.dynrag.pipeline.embedding.MiniLmEmbeddingModel;
import io.dynrag.vectorstore.LanceChunkStore;
import io.dynrag.vectorstore.LanceLocation;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.dataset.DatasetPaths;
import io.dynrag.vectorstore.dataset.Datasets;
import io.dynrag.vectorstore.history.HistoryCleanup;
import io.dynrag.vectorstore.memory.ArrowMemory;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Disk use of a tenant's dataset as its history grows, with and without the cleanup of versions
 * older than the time-travel window ({@link HistoryCleanup}). Two datasets on local directories get
 * the same writes: {@code documents} documents of 20 chunks, then {@code samples} rounds in which
 * every document is written again as a new version (one commit each, as the pipeline writes it).
 * The retention is compressed to "the last round's writes": after each round the cleaned dataset is
 * cleaned up to the instant the round started, as the pipeline cleans up to now minus the retention.
 */
final class HistoryBench {

    private static final String CUSTOMER = "history-benchmark";
    private static final String MODEL = MiniLmEmbeddingModel.ID;
    private static final int CHUNKS_PER_DOCUMENT = 20;

    private final Random random;

    HistoryBench(long seed) {
        this.random = new Random(seed);
    }

    /** After one round: versions written so far, and each dataset's bytes on disk and versions kept. */
    record Round(int round, long versionsWritten, long bytesKept, long bytesCleaned, int versionsKept,
                 int versionsCleaned, long cleanupMicros) {
    }

    static void benchmark(BenchCommand.Options options, PrintStream out) {
        List<Round> rounds = new HistoryBench(options.seed()).run(options.documents(), options.samples());
        out.println("## Dataset history: disk use with and without the cleanup, " + options.documents()
                + " documents of " + CHUNKS_PER_DOCUMENT + " chunks, each written again every round");
        out.println();
        MarkdownTable table = new MarkdownTable("round", "versions written", "without cleanup MB",
                "versions kept", "with cleanup MB", "versions kept", "cleanup ms");
        for (Round round : rounds) {
            table.row(Integer.toString(round.round()), Long.toString(round.versionsWritten()),
                    megabytes(round.bytesKept()), Integer.toString(round.versionsKept()),
                    megabytes(round.bytesCleaned()), Integer.toString(round.versionsCleaned()),
                    String.format(Locale.ROOT, "%.1f", round.cleanupMicros() / 1000.0));
        }
        table.print(out);
        out.println("The window: the last round's writes (the cleanup after a round removes the versions older than"
                + " the one that was the latest when the round started).");
        out.println();
    }

    List<Round> run(int documents, int rounds) {
        Path work = temporaryDirectory();
        ArrowMemory memory = new ArrowMemory();
        try (LanceChunkStore kept = new LanceChunkStore(LanceLocation.local(work.resolve("kept")));
             LanceChunkStore cleaned = new LanceChunkStore(LanceLocation.local(work.resolve("cleaned")))) {
            // No spare on the age: the benchmark's window is seconds, not days.
            HistoryCleanup cleanup = new HistoryCleanup(new Datasets(
                    new DatasetPaths(work.resolve("cleaned").toString()), Map.of(), memory), Duration.ZERO);
            List<Round> results = new ArrayList<>();
            for (int round = 0; round <= rounds; round++) {
                Instant started = Instant.now();
                for (int d = 0; d < documents; d++) {
                    List<ChunkRow> rows = LanceStorageBench.rows(random, "doc-" + d, round + 1, CHUNKS_PER_DOCUMENT);
                    kept.replaceDocument(CUSTOMER, MODEL, "doc-" + d, rows);
                    cleaned.replaceDocument(CUSTOMER, MODEL, "doc-" + d, rows);
                }
                long cleanupStarted = System.nanoTime();
                cleanup.cleanUp(CUSTOMER, MODEL, started);
                long cleanupMicros = (System.nanoTime() - cleanupStarted) / 1_000;
                results.add(new Round(round, (long) documents * (round + 1), bytes(work.resolve("kept")),
                        bytes(work.resolve("cleaned")), kept.versions(CUSTOMER, MODEL).size(),
                        cleaned.versions(CUSTOMER, MODEL).size(), cleanupMicros));
            }
            return results;
        } finally {
            memory.close(() -> { });
            LanceStorageBench.delete(work);
        }
    }

    private static long bytes(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            return paths.filter(Files::isRegularFile).mapToLong(path -> {
                try {
                    return Files.size(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1_000_000.0);
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("dynrag-history-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
