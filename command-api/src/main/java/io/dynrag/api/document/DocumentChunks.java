package io.dynrag.api.document;

import java.util.List;

/** Reads the chunks of one indexed document version (the tenant's vector store). */
public interface DocumentChunks {

    /**
     * The chunk as it was indexed.
     *
     * @param page       the PDF page it starts on, else null
     * @param tokenCount word pieces of the embedding model
     * @param charStart  where it starts in the extracted text
     * @param charEnd    where it ends (exclusive)
     */
    record Chunk(int chunkIndex, String text, Integer page, int tokenCount, int charStart, int charEnd) {
    }

    /**
     * The chunks of {@code version} of the document, by chunk index, as dataset version {@code datasetVersion} of
     * the tenant's dataset for {@code model} holds them (the one its indexing recorded).
     */
    List<Chunk> chunks(String customerId, String model, String documentId, int version, long datasetVersion);
}
