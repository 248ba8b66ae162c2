package io.dynrag.vectorstore.write;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.compaction.CompactionOptions;
import com.lancedb.lance.ipc.ScanOptions;
import com.lancedb.lance.merge.MergeInsertParams;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.dataset.ChunkTable;
import io.dynrag.vectorstore.dataset.Datasets;
import io.dynrag.vectorstore.dataset.Scans;
import io.dynrag.vectorstore.dataset.WriterFence;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
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
 * finishing an older version while the new owner has written a newer one, or the same one; its
 * Kafka output is fenced, and this keeps its late write from putting older rows back or adding a
 * second set. The check holds up to the commit because every write also updates the dataset's
 * {@link WriterFence}: a commit prepared from a version another writer has since moved on from
 * fails, and the write starts again from the newer version (see docs/operations.md).
 */
public final class ChunkWriter {

    private static final Logger log = LoggerFactory.getLogger(ChunkWriter.class);

    /** Fragments a dataset may have before a write compacts it. */
    public static final int COMPACT_AT_FRAGMENTS = 64;
    private static final List<String> KEY_COLUMNS = List.of(ChunkTable.DOCUMENT_ID, ChunkTable.CHUNK_INDEX);
    /** Writes of one document that may each lose to another writer before one fails. */
    static final int MAX_ATTEMPTS = 20;
    private static final long MAX_PAUSE_MILLIS = 500;
    /** Lance's own retries, for the commit that raises the fence (it cannot replace anything). */
    private static final int LANCE_RETRIES = 10;
    private static final Set<String> AUTO_CLEANUP_KEYS =
            Set.of("lance.auto_cleanup.interval", "lance.auto_cleanup.older_than");

    private final Datasets datasets;
    /** Runs after a write decided what to commit and before it commits; for tests that race two writers. */
    private final Runnable beforeCommit;

    public ChunkWriter(Datasets datasets) {
        this(datasets, () -> { });
    }

    ChunkWriter(Datasets datasets, Runnable beforeCommit) {
        this.datasets = datasets;
        this.beforeCommit = beforeCommit;
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
        if (WriterFence.isFence(documentId)) {
            throw new IllegalArgumentException(documentId + " names the writer fence, not a document");
        }
        checkRows(model, documentId, rows);
        for (int attempt = 1; ; attempt++) {
            try {
                return datasets.memory().whileOpen(() -> datasets.inTurn(uri, () ->
                        datasets.memory().withChildReleasedLate("replace-document",
                                memory -> write(uri, model, documentId, rows, memory))));
            } catch (RuntimeException e) {
                if (!lostRace(e)) {
                    throw e;
                }
                if (attempt == MAX_ATTEMPTS) {
                    throw new IllegalStateException("another writer committed to " + uri + " before each of "
                            + MAX_ATTEMPTS + " writes of document " + documentId, e);
                }
                log.info("Writing document {} to {} again: another writer committed first (attempt {})",
                        documentId, uri, attempt);
                pauseBefore(attempt + 1);
            }
        }
    }

    private long write(String uri, String model, String documentId, List<ChunkRow> rows, BufferAllocator memory) {
        Optional<Dataset> existing = datasets.open(memory, uri, OptionalLong.empty());
        if (existing.isEmpty()) {
            if (rows.isEmpty()) {
                return 0L;
            }
            // Created with the fence as its only row, so that two writers creating it at once lose nothing.
            datasets.createByAppending(memory, uri, List.of(WriterFence.after("dataset created", model,
                    rows.getFirst().vector().length)));
            existing = datasets.open(memory, uri, OptionalLong.empty());
        }
        try (Dataset dataset = existing.orElseThrow()) {
            int dimensions = Datasets.dimensionsOf(dataset);
            if (!rows.isEmpty() && rows.getFirst().vector().length != dimensions) {
                throw new IllegalArgumentException("chunk vectors have " + rows.getFirst().vector().length
                        + " dimensions, the dataset of " + model + " holds " + dimensions);
            }
            Stored stored = stored(dataset, documentId);
            if (!stored.fenced()) {
                // Datasets written before the fence existed get it in a commit of its own, so a write is only
                // ever prepared from a version that has it. Two writers raising it at once leave two fence
                // rows; every write then updates both, which still conflicts.
                ChunkRow fence = WriterFence.after("fence raised", model, dimensions);
                try (Dataset fenced = merge(dataset, List.of(fence), Optional.empty(), memory, LANCE_RETRIES)) {
                    return writeFenced(fenced, model, documentId, rows, stored(fenced, documentId), memory);
                }
            }
            return writeFenced(dataset, model, documentId, rows, stored, memory);
        }
    }

    private long writeFenced(Dataset dataset, String model, String documentId, List<ChunkRow> rows, Stored stored,
                             BufferAllocator memory) {
        if (!rows.isEmpty() && stored.docVersion().isPresent()
                && stored.docVersion().getAsInt() > rows.getFirst().docVersion()) {
            log.warn("Not writing version {} of document {} to {}: version {} was written meanwhile",
                    rows.getFirst().docVersion(), documentId, dataset.uri(), stored.docVersion().getAsInt());
            return dataset.version();
        }
        keepAllVersions(dataset);
        List<ChunkRow> withFence = new ArrayList<>(rows);
        withFence.add(WriterFence.after(rows.isEmpty() ? "delete " + documentId
                : documentId + " v" + rows.getFirst().docVersion(), model, Datasets.dimensionsOf(dataset)));
        beforeCommit.run();
        // No retry inside Lance: one would merge again against the newer version without the check above.
        try (Dataset merged = merge(dataset, withFence, Optional.of(documentId), memory, 0)) {
            long version = merged.version();
            compactWhenFragmented(merged);
            return version;
        }
    }

    private Dataset merge(Dataset dataset, List<ChunkRow> rows, Optional<String> replacedDocument,
                          BufferAllocator memory, int conflictRetries) {
        byte[] arrowStream = datasets.tableOf(dataset).toArrowStream(rows, memory);
        MergeInsertParams merge = new MergeInsertParams(KEY_COLUMNS)
                .withMatchedUpdateAll()
                .withNotMatched(MergeInsertParams.WhenNotMatched.InsertAll)
                .withConflictRetries(conflictRetries)
                .withSkipAutoCleanup(true);
        if (replacedDocument.isPresent()) {
            merge = merge.withNotMatchedBySourceDeleteIf(Scans.isDocument(replacedDocument.get()));
        }
        try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(arrowStream), memory);
                ArrowArrayStream source = ArrowArrayStream.allocateNew(memory)) {
            Data.exportArrayStream(memory, reader, source);
            return dataset.mergeInsert(merge, source).dataset();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read back the serialised rows", e);
        }
    }

    /** What a write must know of the dataset it starts from: the document's stored version, and the fence. */
    private record Stored(OptionalInt docVersion, boolean fenced) {
    }

    private static Stored stored(Dataset dataset, String documentId) {
        int[] newest = {Integer.MIN_VALUE};
        boolean[] fenced = {false};
        Scans.scan(dataset, new ScanOptions.Builder()
                        .columns(List.of(ChunkTable.DOCUMENT_ID, ChunkTable.DOC_VERSION))
                        .filter(ChunkTable.DOCUMENT_ID + " IN (" + Scans.sqlString(documentId) + ", "
                                + Scans.sqlString(WriterFence.DOCUMENT_ID) + ")")
                        .build(),
                (batch, i) -> {
                    if (WriterFence.isFence(ChunkTable.string(batch, ChunkTable.DOCUMENT_ID, i))) {
                        fenced[0] = true;
                    } else {
                        newest[0] = Math.max(newest[0], ChunkTable.integer(batch, ChunkTable.DOC_VERSION, i));
                    }
                });
        return new Stored(newest[0] == Integer.MIN_VALUE ? OptionalInt.empty() : OptionalInt.of(newest[0]),
                fenced[0]);
    }

    /**
     * Lance's answers when a commit lost to another writer: a conflict it would have retried ("too many
     * concurrent writers" once no retry is allowed) or one it cannot rebase (a compaction of the same
     * fragments, say). Either way the write starts again from the version that won.
     */
    private static boolean lostRace(RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            if (message.startsWith("Too many concurrent writers")
                    || message.startsWith("Commit conflict for version") && message.contains("concurrent transaction")) {
                return true;
            }
        }
        return false;
    }

    /** Writers that collided back off by different, growing amounts, so one of them gets through. */
    private static void pauseBefore(int attempt) {
        long ceiling = Math.min(MAX_PAUSE_MILLIS, 5L << Math.min(attempt, 10));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, ceiling + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to write again", e);
        }
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
