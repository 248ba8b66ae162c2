package io.dynrag.vectorstore.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.dataset.DatasetPaths;
import io.dynrag.vectorstore.dataset.Datasets;
import io.dynrag.vectorstore.memory.ArrowMemory;
import io.dynrag.vectorstore.read.ChunkReader;
import io.dynrag.vectorstore.search.ChunkMatch;
import io.dynrag.vectorstore.search.IndexSearch;
import io.dynrag.vectorstore.search.NearestChunks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two pipeline instances writing one document at once: the one that lost the document's partition
 * (stale) has read the dataset and decided what to commit when the new owner commits first. Each
 * test makes that happen between the stale writer's decision and its commit, and checks that the
 * stale commit neither adds a second set of rows nor puts an older version back.
 */
class StaleWriterFenceTest {

    private static final String TENANT = "tenant-a";
    private static final String MODEL = "m";
    private static final int DIMENSIONS = 4;

    @TempDir
    Path lanceRoot;
    private final ArrowMemory memory = new ArrowMemory();

    @AfterEach
    void closeMemory() {
        memory.close(() -> { });
    }

    @Test
    void twoWritersOfANewDocumentLeaveOneSetOfRows() {
        ChunkWriter newOwner = writer(() -> { });
        ChunkWriter stale = writer(once(() -> newOwner.replaceDocument(TENANT, MODEL, "doc", rows("doc", 1, 3))));

        stale.replaceDocument(TENANT, MODEL, "doc", rows("doc", 1, 3));

        assertThat(reader().documentRows(TENANT, MODEL, "doc", OptionalLong.empty()))
                .extracting(ChunkRow::chunkIndex).containsExactly(0, 1, 2);
    }

    @Test
    void aStaleWriteDoesNotReplaceTheVersionWrittenMeanwhile() {
        writer(() -> { }).replaceDocument(TENANT, MODEL, "doc", rows("doc", 1, 2));
        ChunkWriter newOwner = writer(() -> { });
        ChunkWriter stale = writer(once(() -> newOwner.replaceDocument(TENANT, MODEL, "doc", rows("doc", 3, 4))));

        long answered = stale.replaceDocument(TENANT, MODEL, "doc", rows("doc", 2, 3));

        List<ChunkRow> stored = reader().documentRows(TENANT, MODEL, "doc", OptionalLong.empty());
        assertThat(stored).extracting(ChunkRow::docVersion).containsOnly(3);
        assertThat(stored).hasSize(4);
        assertThat(answered).as("the stale writer is told the version holding the newer rows")
                .isEqualTo(reader().latestVersion(TENANT, MODEL).orElseThrow());
    }

    @Test
    void aStaleDeleteDoesNotRemoveTheVersionWrittenMeanwhile() {
        writer(() -> { }).replaceDocument(TENANT, MODEL, "doc", rows("doc", 1, 2));
        ChunkWriter newOwner = writer(() -> { });
        ChunkWriter stale = writer(once(() -> newOwner.replaceDocument(TENANT, MODEL, "doc", rows("doc", 2, 2))));

        stale.replaceDocument(TENANT, MODEL, "doc", List.of());

        assertThat(reader().documentRows(TENANT, MODEL, "doc", OptionalLong.empty()))
                .as("a delete comes after every version of the document, so it is applied to the newer rows")
                .isEmpty();
    }

    @Test
    void writesOfDifferentDocumentsThatCollideAreBothKept() {
        ChunkWriter other = writer(() -> { });
        AtomicInteger commits = new AtomicInteger();
        ChunkWriter first = writer(() -> {
            if (commits.getAndIncrement() == 0) {
                other.replaceDocument(TENANT, MODEL, "doc-2", rows("doc-2", 1, 2));
            }
        });

        first.replaceDocument(TENANT, MODEL, "doc-1", rows("doc-1", 1, 2));

        assertThat(commits).as("the first commit lost to the other writer and was made again").hasValue(2);
        assertThat(reader().rowsPerDocumentAsOf(TENANT, MODEL, reader().latestVersion(TENANT, MODEL).orElseThrow()))
                .isEqualTo(Map.of("doc-1", 2, "doc-2", 2));
    }

    @Test
    void theFenceIsNoDocument() {
        writer(() -> { }).replaceDocument(TENANT, MODEL, "doc", rows("doc", 1, 2));
        long latest = reader().latestVersion(TENANT, MODEL).orElseThrow();

        assertThat(reader().rowsPerDocumentAsOf(TENANT, MODEL, latest)).isEqualTo(Map.of("doc", 2));
        assertThat(reader().rowCount(TENANT, MODEL)).isEqualTo(2);
        float[] alongTheFence = {1, 0, 0, 0};
        try (NearestChunks nearest = new NearestChunks(datasets(), IndexSearch.DEFAULT)) {
            assertThat(nearest.search(TENANT, MODEL, alongTheFence, 2, SearchScope.LATEST))
                    .extracting(ChunkMatch::documentId).containsExactly("doc", "doc");
            SearchScope excludingAnother = new SearchScope(OptionalLong.empty(), Optional.empty(), Set.of("other"));
            assertThat(nearest.search(TENANT, MODEL, alongTheFence, 5, excludingAnother))
                    .extracting(ChunkMatch::documentId).containsExactly("doc", "doc");
        }
    }

    private ChunkWriter writer(Runnable beforeCommit) {
        return new ChunkWriter(datasets(), beforeCommit);
    }

    /** Each writer its own {@link Datasets}, as in another process: no lock of one holds back the other. */
    private Datasets datasets() {
        return new Datasets(new DatasetPaths(lanceRoot.toString()), Map.of(), memory);
    }

    private ChunkReader reader() {
        return new ChunkReader(datasets());
    }

    private static Runnable once(Runnable action) {
        AtomicInteger runs = new AtomicInteger();
        return () -> {
            if (runs.getAndIncrement() == 0) {
                action.run();
            }
        };
    }

    /** Rows whose vectors point away from the fence's, so a search along the fence would find it first. */
    private static List<ChunkRow> rows(String documentId, int docVersion, int count) {
        List<ChunkRow> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] vector = {0.1f, 1, i, docVersion};
            rows.add(new ChunkRow(documentId, docVersion, i, documentId + " v" + docVersion + " chunk " + i, 3,
                    "hash-" + docVersion + "-" + i, 0, 10, null, MODEL, vector));
        }
        return rows;
    }
}
