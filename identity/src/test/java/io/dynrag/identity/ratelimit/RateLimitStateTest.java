package io.dynrag.identity.ratelimit;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitStateTest {

    private static final Instant NOW = Instant.parse("2031-03-14T23:59:30.250Z");
    private static final Instant MINUTE_END = Instant.parse("2031-03-15T00:00:00Z");
    private static final Instant DAY_END = Instant.parse("2031-03-15T00:00:00Z");

    @Test
    void theHeadersDescribeTheWindowWithTheFewestRequestsLeft() {
        RateLimitState state = new RateLimitState(false, NOW,
                usage("the customer", 600, 10, 10_000, 9_990),
                usage("this API key", 60, 49, 10_000, 9_000));

        assertThat(state.tightest()).isEqualTo(state.customer().day());
        assertThat(state.headers()).containsEntry("RateLimit-Limit", "10000")
                .containsEntry("RateLimit-Remaining", "10")
                .doesNotContainKey("Retry-After");
    }

    @Test
    void ofWindowsEquallyUsedUpTheOneThatResetsLastIsTheMostRestrictive() {
        Instant laterMinuteEnd = Instant.parse("2031-03-14T12:01:00Z");
        RateLimitState state = new RateLimitState(true, Instant.parse("2031-03-14T12:00:00.5Z"),
                new RateLimitState.Usage("c",
                        new RateLimitState.Window("the customer", RateLimitState.Span.MINUTE, 5, 5, laterMinuteEnd),
                        new RateLimitState.Window("the customer", RateLimitState.Span.DAY, 5, 5,
                                Instant.parse("2031-03-15T00:00:00Z"))),
                null);

        assertThat(state.tightest().span()).isEqualTo(RateLimitState.Span.DAY);
        assertThat(state.retryAfter()).isEqualTo(Duration.parse("PT11H59M59.5S"));
        assertThat(state.headers()).containsEntry("RateLimit-Reset", "43200").containsEntry("Retry-After", "43200");
        assertThat(state.refusal()).contains("the customer's 5 requests per minute and the customer's 5 requests per day");
    }

    @Test
    void secondsAreRoundedUpSoAClientThatWaitsThemFindsTheWindowReset() {
        RateLimitState state = new RateLimitState(true, NOW, usage("the customer", 3, 3, 100, 3), null);

        assertThat(state.headers()).containsEntry("RateLimit-Reset", "30").containsEntry("Retry-After", "30");
    }

    private static RateLimitState.Usage usage(String holder, int perMinute, int minuteUsed, int perDay, int dayUsed) {
        return new RateLimitState.Usage(holder,
                new RateLimitState.Window(holder, RateLimitState.Span.MINUTE, perMinute, minuteUsed, MINUTE_END),
                new RateLimitState.Window(holder, RateLimitState.Span.DAY, perDay, dayUsed, DAY_END));
    }
}
