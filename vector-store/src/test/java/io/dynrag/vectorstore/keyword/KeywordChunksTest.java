package io.dynrag.vectorstore.keyword;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.dataset.DatasetPaths;
import io.dynrag.vectorstore.dataset.Datasets;
import io.dynrag.vectorstore.memory.ArrowMemory;
import io.dynrag.vectorstore.search.ChunkMatch;
import io.dynrag.vectorstore.search.IndexSearch;
import io.dynrag.vectorstore.search.NearestChunks;
import io.dynrag.vectorstore.write.ChunkWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeywordChunksTest {

    private static final String MODEL = "m";

    @TempDir
    Path lanceRoot;

    @Test
    void indexesOverTheMemoryBudgetAreDroppedAndRebuiltWhenSearchedAgain() {
        ArrowMemory memory = new ArrowMemory();
        Datasets datasets = new Datasets(new DatasetPaths(lanceRoot.toString()), Map.of(), memory);
        ChunkWriter writer = new ChunkWriter(datasets);
        for (String tenant : List.of("a", "b")) {
            writer.replaceDocument(tenant, MODEL, "doc", List.of(new ChunkRow("doc", 1, 0, "SQLSTATE 40P01 in " + tenant,
                    3, "hash", 0, 10, null, MODEL, new float[] {1, 0})));
        }
        try (NearestChunks nearest = new NearestChunks(datasets, IndexSearch.DEFAULT);
                KeywordChunks keywords = new KeywordChunks(datasets, nearest, 1)) {
            assertThat(keywords.search("a", MODEL, "40P01", 5, SearchScope.LATEST)).hasSize(1);
            assertThat(keywords.kept()).isEqualTo(1);

            assertThat(keywords.search("b", MODEL, "40P01", 5, SearchScope.LATEST))
                    .extracting(ChunkMatch::text).containsExactly("SQLSTATE 40P01 in b");
            assertThat(keywords.kept()).as("the index searched last stays, even alone over the budget").isEqualTo(1);

            assertThat(keywords.search("a", MODEL, "40P01", 5, SearchScope.LATEST))
                    .extracting(ChunkMatch::text).containsExactly("SQLSTATE 40P01 in a");
        } finally {
            memory.close(() -> { });
        }
    }
}
