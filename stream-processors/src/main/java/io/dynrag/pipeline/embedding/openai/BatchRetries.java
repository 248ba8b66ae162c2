package io.dynrag.pipeline.embedding.openai;

import io.dynrag.pipeline.embedding.openai.EmbeddingsCall.Failed;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whether and when a batch whose request failed is sent again: only failures worth another attempt, within
 * {@link OpenAiSettings#maxAttempts()} and the {@link OpenAiSettings#retryBudget()} counted from the batch's first
 * attempt, after the {@code Retry-After} the provider asked for, else after exponential backoff with full jitter.
 * One per batch.
 */
final class BatchRetries {

    /** After a failed attempt: give up for {@code reason} (appended to the failure's description), or wait. */
    sealed interface Next permits GiveUp, Wait {
    }

    record GiveUp(String reason) implements Next {
    }

    record Wait(Duration delay) implements Next {
    }

    private final OpenAiSettings settings;
    private final long started = System.nanoTime();
    private final long deadline;

    BatchRetries(OpenAiSettings settings) {
        this.settings = settings;
        this.deadline = started + settings.retryBudget().toNanos();
    }

    Next after(Failed failure, int attempt) {
        long remaining = deadline - System.nanoTime();
        if (!failure.retryable()) {
            return new GiveUp("");
        }
        if (attempt >= settings.maxAttempts()) {
            return new GiveUp("; gave up after " + attempt + " attempts in "
                    + EmbeddingProviderException.seconds(System.nanoTime() - started));
        }
        if (remaining <= 0) {
            return new GiveUp("; gave up after " + attempt + " attempts, the retry budget of "
                    + EmbeddingProviderException.seconds(settings.retryBudget().toNanos()) + " is spent");
        }
        if (failure.retryAfter() != null && failure.retryAfter().toNanos() > remaining) {
            // Asking again before the provider's time would only be refused again.
            return new GiveUp("; it asked to retry after "
                    + EmbeddingProviderException.seconds(failure.retryAfter().toNanos())
                    + ", beyond the retry budget (" + attempt + " attempts made)");
        }
        return new Wait(failure.retryAfter() != null ? failure.retryAfter() : backoff(attempt, remaining));
    }

    /** Sleeps before the next attempt; an interrupt ends the call. */
    void pause(Duration delay, int attempt) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw EmbeddingsCall.interrupted(settings, attempt);
        }
    }

    /** Full jitter: a uniformly random delay up to an exponentially growing cap, within the budget. */
    private Duration backoff(int failedAttempts, long remainingNanos) {
        double cap = Math.min(settings.maxBackoff().toNanos(),
                settings.initialBackoff().toNanos() * Math.pow(2, failedAttempts - 1));
        long nanos = (long) (ThreadLocalRandom.current().nextDouble() * cap);
        return Duration.ofNanos(Math.min(nanos, remainingNanos));
    }
}
