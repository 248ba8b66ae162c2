package io.dynrag.pipeline.embedding.openai;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how to call an OpenAI-compatible {@code /v1/embeddings} endpoint. Holds no secret: the
 * API key is given to {@link OpenAiEmbeddingModel} separately, so settings can be logged.
 *
 * @param baseUrl the provider's address, e.g. {@code https://api.openai.com}; a base URL that
 *     already ends in {@code /v1} (as OpenAI's SDKs expect it) is accepted as well
 * @param model the provider's model name, e.g. {@code text-embedding-3-small}
 * @param dimensions the length of every vector the provider must return
 * @param requestDimensions whether to send {@code dimensions} in the request, asking the model to
 *     shorten its vectors (only the {@code text-embedding-3} models support it)
 * @param maxInputTokens the most cl100k tokens one text may have
 * @param maxBatchInputs the most texts in one request (OpenAI: 2048)
 * @param maxBatchTokens the most cl100k tokens summed over one request (OpenAI: 300,000)
 * @param requestTimeout the longest one attempt may take, from sending to the last byte received
 * @param connectTimeout used by {@link OpenAiEmbeddingModel#newHttpClient(OpenAiSettings)}
 * @param retryBudget no retry starts later than this after the first attempt of a batch
 * @param maxAttempts the most attempts per batch, the first one included
 * @param initialBackoff the cap of the first retry's random delay; each retry doubles it
 * @param maxBackoff the largest cap a retry's random delay can have
 */
public record OpenAiSettings(
        URI baseUrl,
        String model,
        int dimensions,
        boolean requestDimensions,
        int maxInputTokens,
        int maxBatchInputs,
        int maxBatchTokens,
        Duration requestTimeout,
        Duration connectTimeout,
        Duration retryBudget,
        int maxAttempts,
        Duration initialBackoff,
        Duration maxBackoff) {

    public static final URI OPENAI_BASE_URL = URI.create("https://api.openai.com");
    /** OpenAI's embedding models accept 8192 tokens; one is kept free as a margin. */
    public static final int DEFAULT_MAX_INPUT_TOKENS = 8191;
    public static final int DEFAULT_MAX_BATCH_INPUTS = 2048;
    public static final int DEFAULT_MAX_BATCH_TOKENS = 300_000;

    private static final Map<String, Integer> KNOWN_DIMENSIONS = Map.of(
            "text-embedding-3-small", 1536,
            "text-embedding-3-large", 3072,
            "text-embedding-ada-002", 1536);
    private static final int MAX_MODEL_NAME_LENGTH = 200;

    public OpenAiSettings {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(retryBudget, "retryBudget");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        requireUsableBaseUrl(baseUrl);
        if (model.isBlank() || model.length() > MAX_MODEL_NAME_LENGTH
                || model.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("model must be a name of 1 to " + MAX_MODEL_NAME_LENGTH
                    + " printable characters");
        }
        requireAtLeastOne(dimensions, "dimensions");
        requireAtLeastOne(maxInputTokens, "maxInputTokens");
        requireAtLeastOne(maxBatchInputs, "maxBatchInputs");
        requireAtLeastOne(maxAttempts, "maxAttempts");
        if (maxBatchTokens < maxInputTokens) {
            throw new IllegalArgumentException("maxBatchTokens (" + maxBatchTokens
                    + ") must hold at least one text of maxInputTokens (" + maxInputTokens + ")");
        }
        requirePositive(requestTimeout, "requestTimeout");
        requirePositive(connectTimeout, "connectTimeout");
        requireNotNegative(retryBudget, "retryBudget");
        requireNotNegative(initialBackoff, "initialBackoff");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff must not be shorter than initialBackoff");
        }
    }

    /** Settings for one of OpenAI's own embedding models, with its native number of dimensions. */
    public static OpenAiSettings of(URI baseUrl, String model) {
        Integer dimensions = KNOWN_DIMENSIONS.get(Objects.requireNonNull(model, "model").toLowerCase(Locale.ROOT));
        if (dimensions == null) {
            throw new IllegalArgumentException("the dimensions of model '" + model
                    + "' are not known; give them explicitly");
        }
        return of(baseUrl, model, dimensions);
    }

    /**
     * Settings with OpenAI's limits and production timeouts: 60 s per attempt, 10 s to connect, up to
     * 6 attempts within 2 minutes, backoff from 0.5 s up to 20 s.
     *
     * @param dimensions the native vector length of the model (not requested from the provider)
     */
    public static OpenAiSettings of(URI baseUrl, String model, int dimensions) {
        return new OpenAiSettings(baseUrl, model, dimensions, false,
                DEFAULT_MAX_INPUT_TOKENS, DEFAULT_MAX_BATCH_INPUTS, DEFAULT_MAX_BATCH_TOKENS,
                Duration.ofSeconds(60), Duration.ofSeconds(10),
                Duration.ofMinutes(2), 6, Duration.ofMillis(500), Duration.ofSeconds(20));
    }

    /** Asks the model for shortened vectors of this length (text-embedding-3 models only). */
    public OpenAiSettings withRequestedDimensions(int requested) {
        return new OpenAiSettings(baseUrl, model, requested, true, maxInputTokens, maxBatchInputs,
                maxBatchTokens, requestTimeout, connectTimeout, retryBudget, maxAttempts, initialBackoff,
                maxBackoff);
    }

    public OpenAiSettings withMaxInputTokens(int tokens) {
        return new OpenAiSettings(baseUrl, model, dimensions, requestDimensions, tokens, maxBatchInputs,
                Math.max(tokens, maxBatchTokens), requestTimeout, connectTimeout, retryBudget, maxAttempts,
                initialBackoff, maxBackoff);
    }

    public OpenAiSettings withBatchLimits(int inputs, int tokens) {
        return new OpenAiSettings(baseUrl, model, dimensions, requestDimensions, maxInputTokens, inputs,
                tokens, requestTimeout, connectTimeout, retryBudget, maxAttempts, initialBackoff, maxBackoff);
    }

    public OpenAiSettings withTimeouts(Duration request, Duration connect) {
        return new OpenAiSettings(baseUrl, model, dimensions, requestDimensions, maxInputTokens,
                maxBatchInputs, maxBatchTokens, request, connect, retryBudget, maxAttempts, initialBackoff,
                maxBackoff);
    }

    public OpenAiSettings withRetries(Duration budget, int attempts, Duration firstBackoff, Duration longestBackoff) {
        return new OpenAiSettings(baseUrl, model, dimensions, requestDimensions, maxInputTokens,
                maxBatchInputs, maxBatchTokens, requestTimeout, connectTimeout, budget, attempts, firstBackoff,
                longestBackoff);
    }

    /** The address requests go to: {@code {baseUrl}/v1/embeddings}. */
    public URI embeddingsUri() {
        String base = baseUrl.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base.endsWith("/v1") ? base + "/embeddings" : base + "/v1/embeddings");
    }

    private static void requireUsableBaseUrl(URI baseUrl) {
        String scheme = baseUrl.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("http"))
                || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("baseUrl must be an absolute http(s) URL with a host");
        }
        // Credentials in the URL would be logged with the settings; the key travels in a header.
        if (baseUrl.getRawUserInfo() != null) {
            throw new IllegalArgumentException("baseUrl must not contain credentials");
        }
        if (baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
            throw new IllegalArgumentException("baseUrl must not have a query or fragment");
        }
    }

    private static void requireAtLeastOne(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, was " + value);
        }
    }

    private static void requirePositive(Duration value, String name) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    private static void requireNotNegative(Duration value, String name) {
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
    }
}
