package io.dynrag.vectorstore.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.LanceChunkStore;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.dataset.DatasetPaths;
import io.dynrag.vectorstore.dataset.Datasets;
import io.dynrag.vectorstore.memory.ArrowMemory;
import io.dynrag.vectorstore.search.ChunkMatch;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cleaning up a real Lance dataset's history: what is older than the window goes, the window stays searchable. */
class HistoryCleanupTest {

    private static final int DIMENSIONS = 8;
    private static final String MODEL = "all-minilm-l6-v2";

    @TempDir
    Path lanceRoot;

    private LanceChunkStore store;
    private final ArrowMemory memory = new ArrowMemory();
    private HistoryCleanup cleanup;

    @BeforeEach
    void openStore() {
        store = new LanceChunkStore(lanceRoot);
        // No spare on the age: the test cannot wait out the minute the pipeline allows.
        cleanup = new HistoryCleanup(new Datasets(new DatasetPaths(lanceRoot.toString()), Map.of(), memory),
                Duration.ZERO);
    }

    @AfterEach
    void closeStore() {
        store.close();
        memory.close(() -> { });
    }

    @Test
    void versionsOlderThanTheWindowGoAndTheWindowStaysSearchable() {
        long first = store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", "first"));
        long second = store.replaceDocument("tenant-a", MODEL, "doc-2", rows("doc-2", "second"));
        Instant windowStart = Instant.now();
        long third = store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", "third"));
        long fourth = store.replaceDocument("tenant-a", MODEL, "doc-3", rows("doc-3", "fourth"));
        store.replaceDocument("tenant-b", MODEL, "doc-1", rows("doc-1", "other tenant"));
        List<Long> before = store.versions("tenant-a", MODEL);
        List<Long> otherTenant = store.versions("tenant-b", MODEL);

        int removed = cleanup.cleanUp("tenant-a", MODEL, windowStart);

        List<Long> after = store.versions("tenant-a", MODEL);
        assertThat(after).as("the version read at the window's start, and every later one, stay")
                .contains(second, third, fourth)
                .containsAll(before.stream().filter(version -> version >= second).toList());
        assertThat(after).as("every older version goes").noneMatch(version -> version < second);
        assertThat(before).contains(first);
        assertThat(removed).isEqualTo(before.stream().filter(version -> version < second).count());
        assertThat(store.versions("tenant-b", MODEL)).as("another tenant's history").isEqualTo(otherTenant);

        assertThat(texts(SearchScope.LATEST.atVersion(second))).as("searched as at the window's start")
                .contains("first chunk 0", "second chunk 0").doesNotContain("third chunk 0");
        assertThat(texts(SearchScope.LATEST.atVersion(third))).contains("third chunk 0", "second chunk 0");
        assertThat(texts(SearchScope.LATEST)).contains("third chunk 0", "second chunk 0", "fourth chunk 0");
        assertThat(store.replaceDocument("tenant-a", MODEL, "doc-4", rows("doc-4", "fifth")))
                .as("writes go on").isGreaterThan(fourth);
        assertThat(texts(SearchScope.LATEST)).contains("fifth chunk 0");
    }

    @Test
    void nothingOlderThanTheWindowOrNoDatasetRemovesNothing() {
        Instant beforeAnything = Instant.now().minusSeconds(1);
        assertThat(cleanup.cleanUp("tenant-a", MODEL, beforeAnything)).isZero();
        store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", "first"));
        store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", "second"));
        List<Long> versions = store.versions("tenant-a", MODEL);

        assertThat(cleanup.cleanUp("tenant-a", MODEL, beforeAnything)).isZero();

        assertThat(store.versions("tenant-a", MODEL)).isEqualTo(versions);
    }

    @Test
    void aWindowStartingNowKeepsOnlyTheLatestVersionAndTheCleanupsOwn() {
        store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", "first"));
        long latest = store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", "second"));

        cleanup.cleanUp("tenant-a", MODEL, Instant.now());

        assertThat(store.versions("tenant-a", MODEL)).first().isEqualTo(latest);
        assertThat(texts(SearchScope.LATEST.atVersion(latest))).containsOnly("second chunk 0", "second chunk 1");
        assertThat(texts(SearchScope.LATEST)).containsOnly("second chunk 0", "second chunk 1");
    }

    private List<String> texts(SearchScope scope) {
        return store.search("tenant-a", MODEL, vector(0), 20, scope).stream().map(ChunkMatch::text).toList();
    }

    private static List<ChunkRow> rows(String documentId, String textPrefix) {
        List<ChunkRow> rows = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String text = textPrefix + " chunk " + i;
            rows.add(new ChunkRow(documentId, 1, i, text, 3, "hash-" + textPrefix + "-" + i, 0, text.length(), null,
                    MODEL, vector(i)));
        }
        return rows;
    }

    private static float[] vector(int i) {
        float[] vector = new float[DIMENSIONS];
        vector[i % DIMENSIONS] = 1;
        return vector;
    }
}
