package io.dynrag.pipeline.embedding.openai;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An embedding provider did not deliver usable vectors. The message is meant for the customer: it
 * names the HTTP status and the provider's own error message, never the API key or the input texts.
 *
 * <p>{@link #retryable()} tells the caller whether trying the same texts again later can succeed:
 * true when the provider was unreachable, slow, overloaded or rate limiting and the retries allowed
 * for one call ran out; false when the request itself is refused (bad key, unknown model, bad input,
 * exhausted quota) or the answer is unusable (malformed, wrong number of dimensions).
 */
public final class EmbeddingProviderException extends RuntimeException {

    private final boolean retryable;
    private final int statusCode;
    private final String providerErrorCode;
    private final Duration retryAfter;
    private final int attempts;

    EmbeddingProviderException(String message, boolean retryable, int statusCode, String providerErrorCode,
            Duration retryAfter, int attempts, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.statusCode = statusCode;
        this.providerErrorCode = providerErrorCode;
        this.retryAfter = retryAfter;
        this.attempts = attempts;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The HTTP status of the last answer; empty if the provider never answered (timeout, network). */
    public OptionalInt statusCode() {
        return statusCode == 0 ? OptionalInt.empty() : OptionalInt.of(statusCode);
    }

    /** The provider's {@code error.code} (else {@code error.type}), e.g. {@code invalid_api_key}. */
    public Optional<String> providerErrorCode() {
        return Optional.ofNullable(providerErrorCode);
    }

    /** How long the provider asked to wait before trying again, if it said so. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** How many requests were made for the batch that failed. */
    public int attempts() {
        return attempts;
    }

    /** How the messages show a duration: {@code 2.5 s}. */
    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
