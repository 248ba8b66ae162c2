package io.dynrag.pipeline.embedding;

import java.util.List;

/**
 * A sentence-embedding model. Implementations are safe for concurrent use and hold native
 * resources until {@link #close()}.
 */
public interface EmbeddingModel extends AutoCloseable {

    /** Stable identifier recorded on every stored vector, e.g. {@code all-minilm-l6-v2}. */
    String id();

    int dimensions();

    /** The most tokens, as counted by {@link #tokenizer()}, that one input text may have. */
    int maxInputTokens();

    TokenCounter tokenizer();

    /**
     * Embeds each text into an L2-normalised vector of {@link #dimensions()} floats, in input order.
     *
     * @throws IllegalArgumentException if a text has more than {@link #maxInputTokens()} tokens;
     *     texts are never truncated, because a truncated text gets a vector for only part of it
     */
    List<float[]> embed(List<String> texts);

    /**
     * The text embedded for a search query: the query as it is, or with the instruction the model
     * was trained to see before queries (documents never get it). Its tokens are what a query's
     * input limit counts.
     */
    default String queryText(String query) {
        return query;
    }

    default float[] embed(String text) {
        return embed(List.of(text)).get(0);
    }

    @Override
    void close();
}
