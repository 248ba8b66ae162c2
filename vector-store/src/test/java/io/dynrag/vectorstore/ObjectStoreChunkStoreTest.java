package io.dynrag.vectorstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynrag.domain.search.SearchScope;
import io.dynrag.embedded.EmbeddedS3;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.search.ChunkMatch;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** Everything the store does, on an S3 API server rather than a local directory. */
class ObjectStoreChunkStoreTest {

    static final String BUCKET = "lance";
    private static final String MODEL = "all-minilm-l6-v2";
    private static final int DIMENSIONS = 16;

    @TempDir
    static Path s3Directory;
    private static EmbeddedS3 s3;

    private LanceLocation location;
    private LanceChunkStore store;

    @BeforeAll
    static void startS3() throws IOException {
        s3 = startS3In(s3Directory);
    }

    /** The server keeps buckets as directories, so a bucket is made by making its directory. */
    static EmbeddedS3 startS3In(Path directory) throws IOException {
        Files.createDirectories(directory.resolve(BUCKET));
        return EmbeddedS3.start(directory, 0, "lance-test", "lance-test-secret");
    }

    static LanceLocation locationOn(EmbeddedS3 server, String prefix) {
        return LanceLocation.s3("s3://" + BUCKET + "/" + prefix, server.endpoint(), "us-east-1", "lance-test",
                "lance-test-secret");
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @BeforeEach
    void openStore(TestInfo test) {
        location = locationOn(s3, test.getTestMethod().orElseThrow().getName());
        store = new LanceChunkStore(location);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void writesSearchesAndReadsOldVersions() {
        long first = store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", 1, 5, "first"));
        long second = store.replaceDocument("tenant-a", MODEL, "doc-2", rows("doc-2", 1, 3, "second"));
        long third = store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", 2, 2, "again"));
        long removed = store.removeDocument("tenant-a", "doc-2");

        assertThat(List.of(first, second, third, removed)).isSorted().doesNotHaveDuplicates();
        assertThat(store.latestVersion("tenant-a", MODEL)).hasValue(removed);
        assertThat(store.versions("tenant-a", MODEL)).contains(first, second, third, removed);
        assertThat(store.documentRows("tenant-a", MODEL, "doc-1")).extracting(ChunkRow::docVersion).containsOnly(2)
                .hasSize(2);
        assertThat(store.documentRowsAsOf("tenant-a", MODEL, "doc-1", second)).hasSize(5);
        assertThat(store.documentRowsAsOf("tenant-a", MODEL, "doc-2", third)).hasSize(3);
        assertThat(store.rowCount("tenant-a", MODEL)).isEqualTo(2);
        assertThat(store.search("tenant-a", MODEL, vector(0), 10)).extracting(ChunkMatch::text)
                .containsExactlyInAnyOrder("again chunk 0", "again chunk 1");
        assertThat(store.search("tenant-a", MODEL, vector(0), 10, SearchScope.LATEST.atVersion(second)))
                .hasSize(8);
        assertThat(store.keywordSearch("tenant-a", MODEL, "second", 10, SearchScope.LATEST.atVersion(second)))
                .extracting(ChunkMatch::documentId).containsOnly("doc-2").hasSize(3);
        assertThat(store.keywordSearch("tenant-a", MODEL, "second", 10, SearchScope.LATEST)).isEmpty();
    }

    @Test
    void listsAndDropsATenantsDatasets() {
        store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", 1, 2, "kept"));
        store.replaceDocument("tenant-b", MODEL, "doc-1", rows("doc-1", 1, 2, "gone"));

        assertThat(store.modelsOf("tenant-b")).containsExactly(MODEL);
        assertThat(store.dropTenant("tenant-b")).isTrue();

        assertThat(store.modelsOf("tenant-b")).isEmpty();
        assertThat(store.latestVersion("tenant-b", MODEL)).isEmpty();
        assertThat(store.search("tenant-b", MODEL, vector(0), 10)).isEmpty();
        assertThat(store.search("tenant-a", MODEL, vector(0), 10)).hasSize(2);
        assertThat(store.dropTenant("tenant-b")).isFalse();
    }

    @Test
    void buildsAndSearchesAVectorIndex() {
        for (int d = 0; d < 10; d++) {
            store.replaceDocument("tenant-a", MODEL, "doc-" + d, rows("doc-" + d, 1, 100, "indexed"));
        }
        assertThat(store.buildVectorIndex("tenant-a", MODEL)).isEqualTo(1000);

        assertThat(store.hasVectorIndex("tenant-a", MODEL)).isTrue();
        assertThat(store.search("tenant-a", MODEL, vector(3), 5)).hasSize(5);
    }

    @Test
    void anotherStoresCommitsAreSeenByTheNextSearch() {
        store.replaceDocument("tenant-a", MODEL, "doc-1", rows("doc-1", 1, 3, "first"));
        assertThat(store.search("tenant-a", MODEL, vector(0), 10)).hasSize(3);

        try (LanceChunkStore otherProcess = new LanceChunkStore(location)) {
            otherProcess.replaceDocument("tenant-a", MODEL, "doc-2", rows("doc-2", 1, 2, "second"));
        }

        assertThat(store.search("tenant-a", MODEL, vector(0), 10)).extracting(ChunkMatch::documentId)
                .containsOnly("doc-1", "doc-2").hasSize(5);
    }

    static List<ChunkRow> rows(String documentId, int docVersion, int count, String textPrefix) {
        Random random = new Random(documentId.hashCode() * 31L + docVersion);
        List<ChunkRow> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String text = textPrefix + " chunk " + i;
            float[] vector = i < DIMENSIONS ? vector(i) : randomVector(random);
            rows.add(new ChunkRow(documentId, docVersion, i, text, 3, "hash-" + textPrefix + "-" + i, i * 20,
                    i * 20 + text.length(), null, MODEL, vector));
        }
        return rows;
    }

    /** A unit vector mostly along axis {@code i}, so each chunk has its own direction. */
    static float[] vector(int i) {
        float[] vector = new float[DIMENSIONS];
        for (int d = 0; d < DIMENSIONS; d++) {
            vector[d] = d == i % DIMENSIONS ? 0.9f : 0.1f;
        }
        return normalised(vector);
    }

    private static float[] randomVector(Random random) {
        float[] vector = new float[DIMENSIONS];
        for (int d = 0; d < DIMENSIONS; d++) {
            vector[d] = (float) random.nextGaussian();
        }
        return normalised(vector);
    }

    private static float[] normalised(float[] vector) {
        double norm = 0;
        for (float v : vector) {
            norm += v * v;
        }
        for (int d = 0; d < vector.length; d++) {
            vector[d] /= (float) Math.sqrt(norm);
        }
        return vector;
    }
}
