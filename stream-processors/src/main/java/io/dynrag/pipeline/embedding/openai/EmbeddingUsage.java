package io.dynrag.pipeline.embedding.openai;

/**
 * What the provider billed for embedding: the tokens of the requests it answered successfully.
 * Failed attempts are not billed by OpenAI and are only counted in {@link #retries()}.
 *
 * @param promptTokens input tokens as reported by the provider's {@code usage.prompt_tokens}
 * @param totalTokens the provider's {@code usage.total_tokens} (equal to the prompt tokens for
 *     embeddings)
 * @param requests requests the provider answered successfully (one per batch)
 * @param retries attempts that failed and were repeated
 * @param estimated true if the provider left out {@code usage} on some answer and its tokens were
 *     counted locally with cl100k instead
 */
public record EmbeddingUsage(long promptTokens, long totalTokens, long requests, long retries, boolean estimated) {

    public static final EmbeddingUsage NONE = new EmbeddingUsage(0, 0, 0, 0, false);

    public EmbeddingUsage plus(EmbeddingUsage other) {
        return new EmbeddingUsage(promptTokens + other.promptTokens, totalTokens + other.totalTokens,
                requests + other.requests, retries + other.retries, estimated || other.estimated);
    }
}
