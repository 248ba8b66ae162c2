package io.dynrag.webhooks;

import java.time.Duration;

/**
 * @param firstRetry  the ceiling of the first retry's delay; it doubles with every failed attempt up to
 *                    {@link #MAX_RETRY_DELAY}, and each delay is drawn at random below its ceiling
 * @param retryWindow how long after it was created a delivery is still attempted before it fails for good
 */
public record WebhookSettings(Duration firstRetry, Duration retryWindow) {

    public static final Duration MAX_RETRY_DELAY = Duration.ofHours(1);
    public static final WebhookSettings DEFAULTS = new WebhookSettings(Duration.ofSeconds(30), Duration.ofHours(24));

    public WebhookSettings {
        if (firstRetry.isNegative() || firstRetry.isZero() || firstRetry.compareTo(MAX_RETRY_DELAY) > 0) {
            throw new IllegalArgumentException("the first retry delay must be positive and at most "
                    + MAX_RETRY_DELAY.toMinutes() + " minutes");
        }
        if (retryWindow.isNegative() || retryWindow.isZero()) {
            throw new IllegalArgumentException("the retry window must be positive");
        }
    }
}
