package io.dynrag.pipeline.embedding;

import java.util.List;

/**
 * Counts the tokens an embedding model sees for a text, without the special tokens the model adds
 * around every input. Chunk limits are enforced with the same counter the model uses, so a chunk
 * that fits by this count is never rejected by {@link EmbeddingModel#embed(List)}.
 */
@FunctionalInterface
public interface TokenCounter {

    int count(String text);

    /** Counts several texts at once; implementations may do this faster than one call per text. */
    default int[] countAll(List<String> texts) {
        int[] counts = new int[texts.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = count(texts.get(i));
        }
        return counts;
    }
}
