package io.dynrag.vectorstore.search;

/**
 * A search hit.
 *
 * @param page  the source page the chunk starts on, null for formats without pages
 * @param score the search's score: for nearest neighbours the cosine similarity between the query and the
 *              chunk's vector (1 for the same direction), for keyword search its BM25 score
 */
public record ChunkMatch(String documentId, int docVersion, int chunkIndex, String text, Integer page, double score) {
}
