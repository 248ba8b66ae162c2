package io.dynrag.api.search;

/** One matching chunk; {@code score} is the cosine similarity to the query (higher is closer). */
public record SearchHit(String documentId, int version, int chunkIndex, String text, double score) {
}
