package io.dynrag.pipeline.embedding.openai;

import java.util.List;

/**
 * The vectors of one {@link OpenAiEmbeddingModel#embedMetered(List)} call, in input order, and
 * what the provider billed for them.
 */
public record MeteredEmbeddings(List<float[]> vectors, EmbeddingUsage usage) {

    public MeteredEmbeddings {
        vectors = List.copyOf(vectors);
    }
}
