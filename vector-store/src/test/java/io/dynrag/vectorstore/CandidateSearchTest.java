package io.dynrag.vectorstore;

import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.search.ChunkMatch;
import io.dynrag.vectorstore.search.NearestChunks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Candidates for a fusion: deeper than the hits asked for, ranked exactly as far as the hits go.
 */
class CandidateSearchTest {

    private static final String TENANT = "tenant-c";
    private static final String MODEL = "all-minilm-l6-v2";
    private static final int DIMENSIONS = 16;

    @TempDir
    Path lanceRoot;

    private final Random random = new Random(7);
    private LanceChunkStore store;

    @BeforeEach
    void writeAndIndex() {
        store = new LanceChunkStore(lanceRoot);
        for (int d = 0; d < 30; d++) {
            store.replaceDocument(TENANT, MODEL, "doc-" + d, rows("doc-" + d, 1, 50));
        }
        store.buildVectorIndex(TENANT, MODEL);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void theFirstRowsOfADeeperSearchAreThoseOfASearchForThem() {
        for (int q = 0; q < 10; q++) {
            float[] query = randomVector();
            List<ChunkMatch> asked = store.search(TENANT, MODEL, query, 10, SearchScope.LATEST);
            List<ChunkMatch> deeper = store.search(TENANT, MODEL, query, new NearestChunks.Depth(50, 10),
                    SearchScope.LATEST);
            assertThat(deeper).hasSize(50);
            assertThat(keys(deeper.subList(0, 10))).containsExactlyElementsOf(keys(asked));
            assertThat(deeper).allSatisfy(match -> assertThat(match.text())
                    .isEqualTo(match.documentId() + " v1 chunk " + match.chunkIndex()));
        }
    }

    private List<ChunkRow> rows(String documentId, int docVersion, int count) {
        List<ChunkRow> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String text = documentId + " v" + docVersion + " chunk " + i;
            rows.add(new ChunkRow(documentId, docVersion, i, text, 3, Integer.toHexString(text.hashCode()), 0,
                    text.length(), null, MODEL, randomVector()));
        }
        return rows;
    }

    private static List<String> keys(List<ChunkMatch> matches) {
        return matches.stream().map(match -> match.documentId() + "#" + match.chunkIndex()).toList();
    }

    private float[] randomVector() {
        float[] vector = new float[DIMENSIONS];
        for (int i = 0; i < DIMENSIONS; i++) {
            vector[i] = (float) random.nextGaussian();
        }
        return vector;
    }
}
