package io.dynrag.vectorstore;

import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.dataset.ChunkRow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the keyword index costs at scale: building it from a dataset's rows (after a start, or for a
 * past version), catching up with one replaced document, and a search. Prints figures, asserts
 * nothing; runs only when asked:
 * {@code ./mvnw -B -o test -pl vector-store -am -Dtest=KeywordLatencyProbe -Dsurefire.failIfNoSpecifiedTests=false
 * -Dkeyword.latency.rows=100000}.
 */
@EnabledIfSystemProperty(named = "keyword.latency.rows", matches = "\\d+")
class KeywordLatencyProbe {

    private static final String MODEL = "probe";
    private static final String TENANT = "tenant";
    private static final int DOCUMENTS = 100;
    private static final int WORDS_PER_CHUNK = 120;

    @TempDir
    Path lanceRoot;

    @Test
    void printsBuildCatchUpAndSearchTimes() {
        int rows = Integer.parseInt(System.getProperty("keyword.latency.rows"));
        Random random = new Random(20261206);
        String[] vocabulary = new String[20_000];
        for (int i = 0; i < vocabulary.length; i++) {
            vocabulary[i] = i % 50 == 0 ? "pg_stat_" + Integer.toString(i, 36) : Integer.toString(i * 7919, 36);
        }
        try (LanceChunkStore store = new LanceChunkStore(lanceRoot)) {
            for (int d = 0; d < DOCUMENTS; d++) {
                store.replaceDocument(TENANT, MODEL, "doc-" + d, chunks("doc-" + d, 1, rows / DOCUMENTS, random,
                        vocabulary));
            }
        }
        try (LanceChunkStore store = new LanceChunkStore(lanceRoot)) {
            long started = System.nanoTime();
            store.keywordSearch(TENANT, MODEL, vocabulary[1], 10, SearchScope.LATEST);
            double build = millis(started);
            store.replaceDocument(TENANT, MODEL, "doc-0", chunks("doc-0", 2, rows / DOCUMENTS, random, vocabulary));
            started = System.nanoTime();
            store.keywordSearch(TENANT, MODEL, vocabulary[1], 10, SearchScope.LATEST);
            double catchUp = millis(started);
            double[] searches = new double[200];
            for (int q = 0; q < searches.length; q++) {
                String query = vocabulary[random.nextInt(vocabulary.length)] + " "
                        + vocabulary[random.nextInt(vocabulary.length)] + " " + vocabulary[random.nextInt(50) * 50];
                started = System.nanoTime();
                store.keywordSearch(TENANT, MODEL, query, 10, SearchScope.LATEST);
                searches[q] = millis(started);
            }
            Arrays.sort(searches);
            System.out.printf("| %d | %d | %.0f | %.0f | %.1f | %.1f |%n", rows, DOCUMENTS, build, catchUp,
                    searches[searches.length / 2], searches[searches.length * 99 / 100]);
        }
    }

    private static List<ChunkRow> chunks(String documentId, int version, int count, Random random, String[] words) {
        List<ChunkRow> chunks = new ArrayList<>();
        for (int c = 0; c < count; c++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < WORDS_PER_CHUNK; w++) {
                // Zipf-like: low word numbers are common, as in prose.
                int word = (int) Math.min(words.length - 1, Math.abs(random.nextGaussian()) * words.length / 6);
                text.append(words[word]).append(' ');
            }
            String chunk = text.toString();
            chunks.add(new ChunkRow(documentId, version, c, chunk, WORDS_PER_CHUNK,
                    Integer.toHexString(chunk.hashCode()), 0, chunk.length(), null, MODEL,
                    new float[] {1, random.nextFloat()}));
        }
        return chunks;
    }

    private static double millis(long started) {
        return (System.nanoTime() - started) / 1e6;
    }
}
