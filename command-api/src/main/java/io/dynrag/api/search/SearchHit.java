package io.dynrag.api.search;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One matching chunk.
 *
 * @param page  the source page the chunk starts on (PDF); absent for formats without pages
 * @param score cosine similarity to the query, higher is closer
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SearchHit(String documentId, int version, int chunkIndex, String text, Integer page, double score) {
}
