package io.dynrag.vectorstore.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ReadOptions;
import io.dynrag.vectorstore.LanceChunkStore;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.dataset.WriterFence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatestDatasetsTest {

    private static final String MODEL = "all-minilm-l6-v2";

    @TempDir
    Path lanceRoot;

    @Test
    void keepsTheMostRecentlyUsedHandlesOpenAndReopensAnEvictedOne() {
        try (LanceChunkStore writer = new LanceChunkStore(lanceRoot)) {
            for (String tenant : List.of("a", "b", "c")) {
                writer.replaceDocument(tenant, MODEL, "doc", List.of(new ChunkRow("doc", 1, 0, "text of " + tenant,
                        2, "hash", 0, 10, null, MODEL, new float[] {1, 0, 0, 0})));
            }
        }
        List<String> opened = new ArrayList<>();
        try (RootAllocator allocator = new RootAllocator();
             LatestDatasets latest = new LatestDatasets(allocator, (memory, uri) -> {
                 if (!Files.isDirectory(Path.of(uri))) {
                     return Optional.empty();
                 }
                 opened.add(Path.of(uri).getParent().getFileName().toString());
                 return Optional.of(Dataset.open(memory, uri, new ReadOptions.Builder().build()));
             }, 2)) {
            for (String tenant : List.of("a", "b", "a", "c", "a", "b")) {
                assertThat(latest.withLatest(uri(tenant), -1L, dataset -> dataset.countRows(WriterFence.NOT_FENCE)))
                        .isEqualTo(1L);
            }
            // b was the least recently used when c needed a handle; a stayed open throughout.
            assertThat(opened).containsExactly("a", "b", "c", "b");
            assertThat(latest.withLatest(uri("missing"), -1L, Dataset::countRows)).isEqualTo(-1L);
        }
    }

    private String uri(String tenant) {
        return lanceRoot.resolve(tenant).resolve("chunks-" + MODEL + ".lance").toString();
    }
}
