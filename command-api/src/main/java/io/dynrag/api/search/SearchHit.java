package io.dynrag.api.search;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * One matching chunk.
 *
 * @param page         the source page the chunk starts on (PDF); absent for formats without pages
 * @param score        what the hits are ranked by: the cosine similarity (vector mode), the BM25
 *                     score (keyword mode) or the fused reciprocal-rank score (hybrid mode); higher is better
 * @param vectorScore  the cosine similarity to the query; null when the vector side did not find the chunk
 * @param keywordScore the BM25 score; null when the keyword side did not find the chunk
 * @param highlights   character ranges {@code [start, end)} of the query's terms in {@code text}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SearchHit(String documentId, int version, int chunkIndex, String text, Integer page, double score,
                        @JsonInclude(JsonInclude.Include.ALWAYS) Double vectorScore,
                        @JsonInclude(JsonInclude.Include.ALWAYS) Double keywordScore,
                        List<int[]> highlights) {
}
