package io.dynrag.vectorstore.hybrid;

import io.dynrag.vectorstore.keyword.Highlights;
import io.dynrag.vectorstore.search.ChunkMatch;
import java.util.List;

/**
 * A hit as search answers it.
 *
 * @param score        what the hits are ranked by: the cosine similarity in vector mode, the BM25
 *                     score in keyword mode, the fused reciprocal-rank score in hybrid mode
 * @param vectorScore  the cosine similarity; null when the vector side did not find the chunk
 * @param keywordScore the BM25 score; null when the keyword side did not find the chunk
 * @param highlights   where the query's terms stand in the chunk's text
 */
public record RankedChunk(ChunkMatch chunk, double score, Double vectorScore, Double keywordScore,
                          List<Highlights.Range> highlights) {

    public RankedChunk {
        highlights = List.copyOf(highlights);
    }
}
