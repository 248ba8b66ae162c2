package io.dynrag.vectorstore.write;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.compaction.CompactionOptions;
import com.lancedb.lance.merge.MergeInsertParams;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.dataset.ChunkTable;
import io.dynrag.vectorstore.dataset.Datasets;
import io.dynrag.vectorstore.dataset.Scans;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a document's rows: one merge-insert commit updates the rows that stay, inserts the new
 * ones and deletes the rest, so every dataset version holds a consistent state of every document;
 * the version it returns is the document's place in the history. Old versions are that history,
 * so Lance's automatic cleanup is kept off, and a fragmented dataset is compacted in a version of
 * its own.
 *
 * <p>A document's versions only move forward: rows of a version older than the one the dataset
 * holds are not written. Only one pipeline instance owns a document at a time, but one that lost
 * it (paused past its session, or cut off from Kafka and not from the object store) can still be
 * finishing an older version while the new owner has written a newer one; its Kafka output is
 * fenced, and this keeps its late write from putting the older rows back. Lance does not detect two
 * merges of the same document that both only insert, so the check cannot close the window between
 * reading the dataset and committing (see docs/operations.md).
 */
public final class ChunkWriter {

    private static final Logger log = LoggerFactory.getLogger(ChunkWriter.class);

    /** Fragments a dataset may have before a write compacts it. */
    public static final int COMPACT_AT_FRAGMENTS = 64;
    private static final List<String> KEY_COLUMNS = List.of(ChunkTable.DOCUMENT_ID, ChunkTable.CHUNK_INDEX);
    private static final Set<String> AUTO_CLEANUP_KEYS =
            Set.of("lance.auto_cleanup.interval", "lance.auto_cleanup.older_than");

    private final Datasets datasets;

    public ChunkWriter(Datasets datasets) {
        this.datasets = datasets;
    }

    /**
     * Makes {@code rows} the complete set of rows of the document: rows with the same
     * (document_id, chunk_index) are updated, new ones inserted and the document's other rows
     * deleted, all in one commit. Creates the dataset if it does not exist. Replaying the same call
     * leaves the same rows. Empty {@code rows} delete the document.
     *
     * @return the dataset version that holds the new rows; 0 when {@code rows} is empty and the
     *     dataset does not exist (there is nothing to delete); the latest version, unchanged, when it
     *     holds a newer version of the document than {@code rows}
     */
    public long replaceDocument(String customerId, String model, String documentId, List<ChunkRow> rows) {
        String uri = datasets.paths().datasetUri(customerId, model);
        Objects.requireNonNull(documentId, "documentId");
        checkRows(model, documentId, rows);
        return datasets.memory().whileOpen(() -> datasets.inTurn(uri, () ->
                datasets.memory().withChildReleasedLate("replace-document", memory -> {
                    Optional<Dataset> existing = datasets.open(memory, uri, OptionalLong.empty());
                    if (existing.isEmpty() && rows.isEmpty()) {
                        return 0L;
                    }
                    try (Dataset dataset = existing.orElseGet(() -> datasets.createOrOpen(memory, uri,
                            rows.getFirst().vector().length))) {
                        int dimensions = Datasets.dimensionsOf(dataset);
                        if (!rows.isEmpty() && rows.getFirst().vector().length != dimensions) {
                            throw new IllegalArgumentException("chunk vectors have " + rows.getFirst().vector().length
                                    + " dimensions, the dataset of " + model + " holds " + dimensions);
                        }
                        OptionalInt stored = storedDocVersion(dataset, documentId);
                        if (!rows.isEmpty() && stored.isPresent() && stored.getAsInt() > rows.getFirst().docVersion()) {
                            log.warn("Not writing version {} of document {} to {}: version {} was written meanwhile",
                                    rows.getFirst().docVersion(), documentId, uri, stored.getAsInt());
                            return dataset.version();
                        }
                        keepAllVersions(dataset);
                        return merge(dataset, documentId, rows, memory);
                    }
                })));
    }

    private long merge(Dataset dataset, String documentId, List<ChunkRow> rows, BufferAllocator memory) {
        byte[] arrowStream = datasets.tableOf(dataset).toArrowStream(rows, memory);
        MergeInsertParams replaceDocument = new MergeInsertParams(KEY_COLUMNS)
                .withMatchedUpdateAll()
                .withNotMatched(MergeInsertParams.WhenNotMatched.InsertAll)
                .withNotMatchedBySourceDeleteIf(Scans.isDocument(documentId))
                .withSkipAutoCleanup(true);
        try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(arrowStream), memory);
                ArrowArrayStream source = ArrowArrayStream.allocateNew(memory)) {
            Data.exportArrayStream(memory, reader, source);
            try (Dataset merged = dataset.mergeInsert(replaceDocument, source).dataset()) {
                long version = merged.version();
                compactWhenFragmented(merged);
                return version;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read back the serialised rows", e);
        }
    }

    private static OptionalInt storedDocVersion(Dataset dataset, String documentId) {
        int[] newest = {Integer.MIN_VALUE};
        Scans.scan(dataset, Scans.ofDocument(documentId, List.of(ChunkTable.DOC_VERSION)),
                (batch, i) -> newest[0] = Math.max(newest[0], ChunkTable.integer(batch, ChunkTable.DOC_VERSION, i)));
        return newest[0] == Integer.MIN_VALUE ? OptionalInt.empty() : OptionalInt.of(newest[0]);
    }

    /**
     * Every write adds a fragment (and deletion marks to older ones), and scans, merges and
     * searches open every fragment, so writes slow down as a tenant's documents accumulate.
     * Past a threshold the fragments are rewritten into few, in a version of their own holding
     * the same rows; the version just written, which the caller records, is untouched.
     */
    private static void compactWhenFragmented(Dataset dataset) {
        if (dataset.getFragments().size() >= COMPACT_AT_FRAGMENTS) {
            dataset.compact(CompactionOptions.builder().withMaterializeDeletions(true).build());
        }
    }

    /**
     * New datasets get auto-cleanup settings that delete untagged versions older than 14 days on
     * every 20th commit; those versions are the document history, so the settings are removed.
     * Checked on every write, so a crash between creating a dataset and removing them is healed.
     */
    @SuppressWarnings("deprecation")
    private static void keepAllVersions(Dataset dataset) {
        Set<String> present = new HashSet<>(dataset.getConfig().keySet());
        present.retainAll(AUTO_CLEANUP_KEYS);
        if (!present.isEmpty()) {
            dataset.deleteConfigKeys(present);
        }
    }

    private static void checkRows(String model, String documentId, List<ChunkRow> rows) {
        Objects.requireNonNull(rows, "rows");
        Set<Integer> indexes = new HashSet<>();
        for (ChunkRow row : rows) {
            if (!row.documentId().equals(documentId)) {
                throw new IllegalArgumentException("row of document " + row.documentId() + " in rows of " + documentId);
            }
            if (!row.embeddingModel().equals(model)) {
                throw new IllegalArgumentException("row embedded with " + row.embeddingModel()
                        + " cannot go into the dataset of " + model);
            }
            if (row.vector().length != rows.getFirst().vector().length) {
                throw new IllegalArgumentException("chunk " + row.chunkIndex() + " has a vector of "
                        + row.vector().length + " dimensions, chunk " + rows.getFirst().chunkIndex() + " one of "
                        + rows.getFirst().vector().length);
            }
            if (row.docVersion() != rows.getFirst().docVersion()) {
                throw new IllegalArgumentException("rows of versions " + rows.getFirst().docVersion() + " and "
                        + row.docVersion() + " of document " + documentId);
            }
            if (!indexes.add(row.chunkIndex())) {
                throw new IllegalArgumentException("chunk index " + row.chunkIndex() + " appears twice");
            }
        }
    }
}
