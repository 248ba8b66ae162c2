package io.dynrag.pipeline.chunking;

import io.dynrag.domain.document.format.DocumentFormat;
import io.dynrag.pipeline.embedding.EmbeddingModel;

import java.util.List;

/**
 * The chunks the pipeline indexes for a document's extracted text: structural chunks, the overlap
 * the customer asked for, and for Markdown the heading path in front of each chunk. One place, so
 * anything that must see the pipeline's chunks (benchmarks, checks) sees exactly them.
 */
public final class DocumentChunks {

    private DocumentChunks() {
    }

    /**
     * @param format        how the text is structured (after extraction: HTML arrives as Markdown)
     * @param chunkTokens   the most word pieces of the model per chunk, before overlap
     * @param overlapTokens word pieces repeated from the end of the previous chunk
     */
    public static List<Chunk> of(String text, DocumentFormat format, int chunkTokens, int overlapTokens,
                                 EmbeddingModel model) {
        List<Chunk> chunks = ChunkOverlap.apply(
                new StructuralChunker(model.tokenizer(), chunkTokens).chunk(text, format.mediaType()),
                overlapTokens, model.tokenizer());
        if (format == DocumentFormat.MARKDOWN) {
            chunks = HeadingContext.apply(chunks, text, model.tokenizer(), model.maxInputTokens());
        }
        return chunks;
    }
}
