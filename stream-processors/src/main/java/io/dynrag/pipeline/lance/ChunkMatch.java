package io.dynrag.pipeline.lance;

/**
 * A search hit.
 *
 * @param score cosine similarity between the query and the chunk's vector, 1 for the same direction
 */
public record ChunkMatch(String documentId, int docVersion, int chunkIndex, String text, double score) {
}
