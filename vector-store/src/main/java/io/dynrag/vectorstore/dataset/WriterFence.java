package io.dynrag.vectorstore.dataset;

/**
 * The row of a dataset that every write updates, so that any two writes prepared from the same
 * dataset version conflict when they commit, and the later one fails instead of being rebased.
 *
 * <p>Lance commits optimistically: a write whose dataset moved on since it read it is rebased onto
 * the newer version unless both changed the same rows. Two merges that only insert rows (two writes
 * of a document new to the dataset) never change the same rows, so both commit and the document has
 * both sets of rows; and a merge that is retried inside Lance is run again against the newer
 * version, so an older version of a document can replace a newer one. Either happens when a pipeline
 * instance that lost its partitions finishes a write the new owner also made. With this row in every
 * write, the writer that commits second learns that the dataset moved on, reads it again and decides
 * again ({@code ChunkWriter}). It is not a document: every read of documents leaves it out.
 */
public final class WriterFence {

    /** Not a document id: those are UUIDs. */
    public static final String DOCUMENT_ID = "~writer-fence";
    public static final int CHUNK_INDEX = 0;
    /** The SQL condition that a row is a document's, not the fence. */
    public static final String NOT_FENCE = ChunkTable.DOCUMENT_ID + " != " + Scans.sqlString(DOCUMENT_ID);

    private WriterFence() {
    }

    public static boolean isFence(String documentId) {
        return DOCUMENT_ID.equals(documentId);
    }

    /**
     * The fence as a write leaves it: its text names the write, which makes every write change it
     * (and tells an operator which write came last).
     */
    public static ChunkRow after(String write, String model, int dimensions) {
        float[] unit = new float[dimensions];
        // A vector of zeros has no cosine distance; a unit vector keeps index training and scoring finite.
        unit[0] = 1f;
        return new ChunkRow(DOCUMENT_ID, 0, CHUNK_INDEX, "last write: " + write, 0, "", 0, 0, null, model, unit);
    }
}
