package io.dynrag.app.verify;

import io.dynrag.domain.document.IndexingStats;
import io.dynrag.pipeline.chunking.StructuralChunker;
import io.dynrag.vectorstore.dataset.ChunkRow;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class IndexedRowsCheckTest {

    private static final String MODEL = "all-minilm-l6-v2";
    private static final String WHERE = "version 7 of dataset m";

    @Test
    void rowsExactlyAsIndexedPass() {
        assertThat(IndexedRowsCheck.check("d1", 2, stats(4), rows(2, 0, 1, 2, 3), WHERE)).isEmpty();
    }

    @Test
    void everyKindOfDifferenceIsItsOwnFinding() {
        List<ChunkRow> rows = new ArrayList<>(rows(2, 0, 1, 1, 5));
        rows.set(0, row(1, 0, "d1 chunk 0", MODEL));
        rows.set(3, row(2, 5, "d1 chunk 5", "text-embedding-3-small"));

        assertThat(IndexedRowsCheck.check("d1", 2, stats(5), rows, WHERE)).extracting(Finding::message)
                .containsExactly(
                        WHERE + " holds 4 rows, expected 5 (the chunks recorded when it was indexed)",
                        WHERE + " holds rows of v1 (1 row), expected only rows of v2",
                        WHERE + " holds rows embedded with text-embedding-3-small (1 row), expected " + MODEL,
                        WHERE + " lacks chunk indexes 2-4 of 0..4",
                        WHERE + " holds chunk indexes 5 outside 0..4",
                        WHERE + " holds chunk indexes 1 more than once");
    }

    @Test
    void aTextThatNoLongerMatchesItsContentHashIsFound() {
        List<ChunkRow> rows = new ArrayList<>(rows(2, 0, 1));
        ChunkRow original = rows.get(1);
        rows.set(1, new ChunkRow("d1", 2, 1, original.text() + " edited", original.tokenCount(),
                original.contentHash(), original.charStart(), original.charEnd(), null, MODEL, original.vector()));

        assertThat(IndexedRowsCheck.check("d1", 2, stats(2), rows, WHERE)).singleElement().satisfies(finding -> {
            assertThat(finding.line()).startsWith("DISCREPANCY document d1 v2: " + WHERE + ": chunk 1 has content_hash "
                    + original.contentHash().substring(0, 12) + "…, but its text hashes to "
                    + StructuralChunker.sha256Hex(original.text() + " edited").substring(0, 12));
        });
    }

    @Test
    void noRowsAtAllLackEveryChunk() {
        assertThat(IndexedRowsCheck.check("d1", 1, stats(3), List.of(), WHERE)).extracting(Finding::message)
                .containsExactly(WHERE + " holds 0 rows, expected 3 (the chunks recorded when it was indexed)",
                        WHERE + " lacks chunk indexes 0-2 of 0..2");
    }

    @Test
    void indexRunsAreShownAsRanges() {
        assertThat(IndexedRowsCheck.ranges(new TreeSet<>(List.of(0, 1, 2, 5, 7, 8)))).isEqualTo("0-2, 5, 7-8");
        assertThat(IndexedRowsCheck.ranges(new TreeSet<>(List.of(4)))).isEqualTo("4");
    }

    private static IndexingStats stats(int chunks) {
        return new IndexingStats(chunks, 10, 10, 0, 7, MODEL, Map.of(), 100, 0, 10, 0);
    }

    private static List<ChunkRow> rows(int version, int... indexes) {
        List<ChunkRow> rows = new ArrayList<>();
        for (int index : indexes) {
            rows.add(row(version, index, "d1 chunk " + index, MODEL));
        }
        return rows;
    }

    private static ChunkRow row(int version, int index, String text, String model) {
        return new ChunkRow("d1", version, index, text, 3, StructuralChunker.sha256Hex(text), 0, text.length(), null,
                model, new float[]{0.5f, 0.5f});
    }
}
