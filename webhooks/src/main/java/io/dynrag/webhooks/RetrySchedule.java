package io.dynrag.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When a failed delivery is tried again: exponential backoff with full jitter. The ceiling starts at
 * the first retry delay and doubles with every failed attempt up to {@link WebhookSettings#MAX_RETRY_DELAY};
 * the delay itself is drawn uniformly between zero and the ceiling, so receivers that come back after an
 * outage are not hit by every delivery at the same moment. No attempt is made later than the retry window
 * after the delivery was created.
 */
public final class RetrySchedule {

    private final WebhookSettings settings;
    private final RandomGenerator random;

    public RetrySchedule(WebhookSettings settings, RandomGenerator random) {
        this.settings = settings;
        this.random = random;
    }

    /** The longest delay after {@code failedAttempts} failed attempts (1 for the first retry). */
    public Duration ceiling(int failedAttempts) {
        if (failedAttempts < 1) {
            throw new IllegalArgumentException("a retry follows at least one failed attempt");
        }
        long cap = WebhookSettings.MAX_RETRY_DELAY.toMillis();
        long ceiling = settings.firstRetry().toMillis();
        for (int doubling = 1; doubling < failedAttempts && ceiling < cap; doubling++) {
            ceiling *= 2;
        }
        return Duration.ofMillis(Math.min(ceiling, cap));
    }

    /**
     * @param createdAt      when the delivery was created; the retry window counts from here
     * @param failedAt       when the last attempt failed
     * @param failedAttempts attempts made so far, all failed
     * @return when to try again, or empty when that would fall outside the retry window
     */
    public Optional<Instant> nextAttempt(Instant createdAt, Instant failedAt, int failedAttempts) {
        Instant next = failedAt.plusMillis(random.nextLong(ceiling(failedAttempts).toMillis() + 1));
        return next.isAfter(createdAt.plus(settings.retryWindow())) ? Optional.empty() : Optional.of(next);
    }
}
