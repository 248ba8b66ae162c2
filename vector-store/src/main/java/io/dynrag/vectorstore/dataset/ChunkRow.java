package io.dynrag.vectorstore.dataset;

import java.util.Arrays;
import java.util.Objects;

/**
 * One chunk of one document version as stored in a tenant's Lance dataset.
 *
 * @param page page number in the source document, or {@code null} when the format has no pages
 * @param embeddingModel id of the model that computed {@code vector}
 */
public record ChunkRow(
        String documentId,
        int docVersion,
        int chunkIndex,
        String text,
        int tokenCount,
        String contentHash,
        int charStart,
        int charEnd,
        Integer page,
        String embeddingModel,
        float[] vector) {

    public ChunkRow {
        Objects.requireNonNull(documentId, "documentId");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(contentHash, "contentHash");
        Objects.requireNonNull(embeddingModel, "embeddingModel");
        Objects.requireNonNull(vector, "vector");
    }

    // A record compares arrays by identity; rows are equal when their vectors hold the same floats.
    @Override
    public boolean equals(Object other) {
        return other instanceof ChunkRow row
                && documentId.equals(row.documentId)
                && docVersion == row.docVersion
                && chunkIndex == row.chunkIndex
                && text.equals(row.text)
                && tokenCount == row.tokenCount
                && contentHash.equals(row.contentHash)
                && charStart == row.charStart
                && charEnd == row.charEnd
                && Objects.equals(page, row.page)
                && embeddingModel.equals(row.embeddingModel)
                && Arrays.equals(vector, row.vector);
    }

    @Override
    public int hashCode() {
        return Objects.hash(documentId, docVersion, chunkIndex, contentHash, page, embeddingModel)
                * 31 + Arrays.hashCode(vector);
    }

    @Override
    public String toString() {
        return "ChunkRow[documentId=" + documentId + ", docVersion=" + docVersion + ", chunkIndex=" + chunkIndex
                + ", tokenCount=" + tokenCount + ", contentHash=" + contentHash + ", chars=[" + charStart + ", "
                + charEnd + "), page=" + page + ", embeddingModel=" + embeddingModel + ", vector=float["
                + vector.length + "]]";
    }
}
