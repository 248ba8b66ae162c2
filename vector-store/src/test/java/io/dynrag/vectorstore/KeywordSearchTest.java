package io.dynrag.vectorstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.search.ChunkMatch;
import io.dynrag.vectorstore.write.ChunkWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keyword search reads the same rows as the nearest-neighbour search: versions, scopes, deletes. */
class KeywordSearchTest {

    private static final String MODEL = "all-minilm-l6-v2";
    private static final String TENANT = "tenant-a";

    @TempDir
    Path lanceRoot;

    private LanceChunkStore store;

    @BeforeEach
    void openStore() {
        store = new LanceChunkStore(lanceRoot);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void findsIdentifiersByTheirExactTextAndByTheirParts() {
        store.replaceDocument(TENANT, MODEL, "errors", rows("errors", 1,
                "the transaction was aborted: SQLSTATE 40P01 deadlock detected",
                "serialization failure SQLSTATE 40001, retry the transaction"));
        store.replaceDocument(TENANT, MODEL, "tools", rows("tools", 1,
                "pass --dry-run to print the plan without applying it",
                "join paths with os.path.join and watch pg_stat_activity"));

        assertThat(keyword("40P01", 10)).extracting(ChunkMatch::documentId, ChunkMatch::chunkIndex)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("errors", 0));
        assertThat(keyword("SQLSTATE 40P01", 10).getFirst().chunkIndex()).isZero();
        assertThat(keyword("--dry-run", 10)).extracting(ChunkMatch::text)
                .containsExactly("pass --dry-run to print the plan without applying it");
        assertThat(keyword("dry run", 10).getFirst().documentId()).isEqualTo("tools");
        assertThat(keyword("os.path.join", 10)).hasSize(1);
        assertThat(keyword("path", 10)).hasSize(1);
        assertThat(keyword("pg_stat_activity", 10).getFirst().chunkIndex()).isEqualTo(1);
        assertThat(keyword("activity", 10)).hasSize(1);
        assertThat(keyword("the", 10)).as("stop words alone find nothing").isEmpty();
        assertThat(keyword("transaction", 10)).extracting(ChunkMatch::score)
                .allSatisfy(score -> assertThat(score).isPositive())
                .isSortedAccordingTo((a, b) -> Double.compare(b, a));
    }

    @Test
    void findsOtherFormsOfAWordAndRanksTheFormAskedForFirst() {
        store.replaceDocument(TENANT, MODEL, "guide", rows("guide", 1,
                "building an index concurrently keeps the table writable",
                "the planner ignores indexes on small tables",
                "vacuum reclaims dead rows"));

        assertThat(keyword("indexing", 10)).extracting(ChunkMatch::chunkIndex).containsExactlyInAnyOrder(0, 1);
        assertThat(keyword("indexes", 10)).extracting(ChunkMatch::chunkIndex).containsExactly(1, 0);
        assertThat(keyword("index", 10)).extracting(ChunkMatch::chunkIndex).containsExactlyInAnyOrder(0, 1);
        assertThat(keyword("reclaiming", 10)).extracting(ChunkMatch::chunkIndex).containsExactly(2);
    }

    @Test
    void followsEveryVersionAndAnswersForPastOnes() {
        long first = store.replaceDocument(TENANT, MODEL, "doc", rows("doc", 1, "alpha 40P01", "beta"));
        assertThat(keyword("40P01", 10)).hasSize(1);

        long second = store.replaceDocument(TENANT, MODEL, "doc", rows("doc", 2, "gamma", "beta"));
        assertThat(keyword("40P01", 10)).as("the rows the new version replaced").isEmpty();
        assertThat(keyword("gamma", 10)).extracting(ChunkMatch::docVersion).containsExactly(2);

        assertThat(store.keywordSearch(TENANT, MODEL, "40P01", 10, SearchScope.LATEST.atVersion(first)))
                .extracting(ChunkMatch::docVersion).containsExactly(1);
        assertThat(store.keywordSearch(TENANT, MODEL, "gamma", 10, SearchScope.LATEST.atVersion(first))).isEmpty();
        assertThat(store.keywordSearch(TENANT, MODEL, "gamma", 10, SearchScope.LATEST.atVersion(second)))
                .hasSize(1);
        assertThatThrownBy(() -> store.keywordSearch(TENANT, MODEL, "gamma", 10,
                SearchScope.LATEST.atVersion(second + 100))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deletesAndScopesApplyBeforeTheBestAreChosen() {
        for (int d = 0; d < 5; d++) {
            store.replaceDocument(TENANT, MODEL, "doc-" + d, rows("doc-" + d, 1, "shared term " + "x ".repeat(d)));
        }
        long before = store.latestVersion(TENANT, MODEL).orElseThrow();
        store.removeDocument(TENANT, "doc-0");

        assertThat(keyword("shared", 10)).extracting(ChunkMatch::documentId)
                .containsExactlyInAnyOrder("doc-1", "doc-2", "doc-3", "doc-4");
        assertThat(store.keywordSearch(TENANT, MODEL, "shared", 10, SearchScope.LATEST.atVersion(before)))
                .hasSize(5);
        assertThat(store.keywordSearch(TENANT, MODEL, "shared", 1, SearchScope.LATEST.onlyDocument("doc-3")))
                .extracting(ChunkMatch::documentId).containsExactly("doc-3");
        assertThat(store.keywordSearch(TENANT, MODEL, "shared", 10,
                SearchScope.LATEST.atVersion(before).excluding(Set.of("doc-0", "doc-1"))))
                .extracting(ChunkMatch::documentId).containsExactlyInAnyOrder("doc-2", "doc-3", "doc-4");
        assertThat(store.keywordSearch(TENANT, MODEL, "shared", 10, SearchScope.LATEST.excluding(
                Set.of("doc-1", "doc-2", "doc-3", "doc-4")))).as("every row left out").isEmpty();
    }

    @Test
    void scoresDoNotDependOnTheWritesThatLedToAVersion() {
        store.replaceDocument(TENANT, MODEL, "a", rows("a", 1, "deadlock retry", "deadlock deadlock logs"));
        store.replaceDocument(TENANT, MODEL, "b", rows("b", 1, "retry later"));
        assertThat(keyword("deadlock retry", 10)).hasSize(3);
        store.replaceDocument(TENANT, MODEL, "a", rows("a", 2, "deadlock again", "nothing here at all"));
        store.replaceDocument(TENANT, MODEL, "c", rows("c", 1, "retry on deadlock with backoff"));
        store.removeDocument(TENANT, "b");
        long now = store.latestVersion(TENANT, MODEL).orElseThrow();

        List<ChunkMatch> caughtUp = keyword("deadlock retry", 10);
        List<ChunkMatch> builtAfresh = store.keywordSearch(TENANT, MODEL, "deadlock retry", 10,
                SearchScope.LATEST.atVersion(now));

        assertThat(caughtUp).hasSize(2).isEqualTo(builtAfresh);
        long withoutC = store.replaceDocument(TENANT, MODEL, "c", List.of());
        assertThat(store.keywordSearch(TENANT, MODEL, "deadlock retry", 10, SearchScope.LATEST.atVersion(now)
                .excluding(Set.of("c")))).as("excluded rows count as gone")
                .isEqualTo(store.keywordSearch(TENANT, MODEL, "deadlock retry", 10,
                        SearchScope.LATEST.atVersion(withoutC)));
    }

    @Test
    void followsCompactionAndManyVersions() {
        // One fragment per document written: the writer compacts them once there are 64.
        int documents = ChunkWriter.COMPACT_AT_FRAGMENTS + 6;
        for (int d = 0; d < documents; d++) {
            store.replaceDocument(TENANT, MODEL, "doc-" + d, rows("doc-" + d, 1, "text of doc-" + d,
                    d % 2 == 0 ? "evenmarker marker" : "oddmarker marker"));
            if (d % 9 == 0) {
                assertThat(keyword("marker", 100)).hasSize(d + 1);
            }
        }
        store.replaceDocument(TENANT, MODEL, "doc-3", rows("doc-3", 2, "text of doc-3", "evenmarker marker"));
        store.removeDocument(TENANT, "doc-5");
        long now = store.latestVersion(TENANT, MODEL).orElseThrow();

        assertThat(keyword("marker", 100)).hasSize(documents - 1)
                .isEqualTo(store.keywordSearch(TENANT, MODEL, "marker", 100, SearchScope.LATEST.atVersion(now)));
        assertThat(keyword("oddmarker", 100)).hasSize(documents / 2 - 2)
                .extracting(ChunkMatch::documentId).doesNotContain("doc-3", "doc-5");
        assertThat(keyword("evenmarker", 100)).extracting(ChunkMatch::documentId).contains("doc-3");
    }

    @Test
    void aNewStoreRebuildsTheIndexFromTheRows() {
        store.replaceDocument(TENANT, MODEL, "doc", rows("doc", 1, "os.path.join"));
        assertThat(keyword("join", 10)).hasSize(1);
        store.close();
        store = new LanceChunkStore(lanceRoot);

        assertThat(keyword("os.path.join", 10)).hasSize(1);
        assertThat(store.keywordSearch("tenant-b", MODEL, "join", 10, SearchScope.LATEST)).isEmpty();
        assertThat(store.dropTenant(TENANT)).isTrue();
        assertThat(keyword("join", 10)).isEmpty();
    }

    private List<ChunkMatch> keyword(String query, int k) {
        return store.keywordSearch(TENANT, MODEL, query, k, SearchScope.LATEST);
    }

    private static List<ChunkRow> rows(String documentId, int docVersion, String... texts) {
        List<ChunkRow> rows = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            float[] vector = new float[] {1, i, 0.5f};
            rows.add(new ChunkRow(documentId, docVersion, i, texts[i], 3, Integer.toHexString(texts[i].hashCode()),
                    0, texts[i].length(), null, MODEL, vector));
        }
        return rows;
    }
}
