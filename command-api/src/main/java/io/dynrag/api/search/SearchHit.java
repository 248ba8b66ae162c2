package io.dynrag.api.search;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * One matching chunk.
 *
 * @param page         the source page the chunk starts on (PDF); absent for formats without pages
 * @param score        what the hits are ranked by: the cosine similarity (vector mode), the BM25
 *                     score (keyword mode) or the fused reciprocal-rank score (hybrid mode); higher is better
 * @param vectorScore  the cosine similarity to the query; null when the vector side did not find the chunk
 * @param keywordScore the BM25 score; null when the keyword side did not find the chunk
 * @param rerankScore  the rerank provider's relevance score, which reranked hits are ordered by; only when the
 *                     search asked for {@code rerank}
 * @param highlights   character ranges {@code [start, end)} of the query's terms in {@code text}
 * @param title        the document's title at the search's instant (now, or {@code asOf}); null from the index
 * @param metadata     the document's metadata at the search's instant; null from the index
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SearchHit(String documentId, int version, int chunkIndex, String text, Integer page, double score,
                        @JsonInclude(JsonInclude.Include.ALWAYS) Double vectorScore,
                        @JsonInclude(JsonInclude.Include.ALWAYS) Double keywordScore, Double rerankScore,
                        List<int[]> highlights, String title, Map<String, Object> metadata) {

    /** A hit as the index finds it, before its document is described. */
    public SearchHit(String documentId, int version, int chunkIndex, String text, Integer page, double score,
                     Double vectorScore, Double keywordScore, List<int[]> highlights) {
        this(documentId, version, chunkIndex, text, page, score, vectorScore, keywordScore, null, highlights, null,
                null);
    }

    SearchHit describedAs(String documentTitle, Map<String, Object> documentMetadata) {
        return new SearchHit(documentId, version, chunkIndex, text, page, score, vectorScore, keywordScore,
                rerankScore, highlights, documentTitle, documentMetadata);
    }

    SearchHit reranked(double relevance) {
        return new SearchHit(documentId, version, chunkIndex, text, page, score, vectorScore, keywordScore,
                relevance, highlights, title, metadata);
    }
}
