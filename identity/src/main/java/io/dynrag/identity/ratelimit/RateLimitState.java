package io.dynrag.identity.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where a caller stands against its limits: the customer's windows and, for an API key, the key's.
 *
 * @param refused  whether the request was refused because a window was used up (it was then counted nowhere)
 * @param at       the instant the state was read
 * @param key      null for a signed-in user
 */
public record RateLimitState(boolean refused, Instant at, Usage customer, Usage key) {

    /** The windows of one subject: the customer, or one of its API keys. */
    public record Usage(String id, Window minute, Window day) {
    }

    public enum Span {
        MINUTE, DAY;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param holder  whose window it is, as a reader would say it ("the customer", "this API key")
     * @param used    admitted requests in the window so far
     * @param resetAt when the window ends and its count starts again from zero
     */
    public record Window(String holder, Span span, int limit, int used, Instant resetAt) {

        public int remaining() {
            return Math.max(0, limit - used);
        }

        public boolean usedUp() {
            return used >= limit;
        }
    }

    public List<Window> windows() {
        List<Window> windows = new ArrayList<>(List.of(customer.minute(), customer.day()));
        if (key != null) {
            windows.addAll(List.of(key.minute(), key.day()));
        }
        return windows;
    }

    /** The window closest to exhaustion: the fewest requests left and, of those, the one that resets last. */
    public Window tightest() {
        return windows().stream()
                .min(Comparator.comparingInt(Window::remaining).thenComparing(Window::resetAt, Comparator.reverseOrder()))
                .orElseThrow();
    }

    /** Until every used-up window has started again. */
    public Duration retryAfter() {
        return windows().stream().filter(Window::usedUp).map(Window::resetAt).max(Comparator.naturalOrder())
                .map(reset -> Duration.between(at, reset)).orElse(Duration.ZERO);
    }

    /**
     * The fields of the IETF RateLimit header draft for the tightest window (whole seconds until it
     * resets, rounded up), and {@code Retry-After} when the request was refused.
     */
    public Map<String, String> headers() {
        Window tightest = tightest();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("RateLimit-Limit", Integer.toString(tightest.limit()));
        headers.put("RateLimit-Remaining", Integer.toString(tightest.remaining()));
        headers.put("RateLimit-Reset", Long.toString(wholeSeconds(Duration.between(at, tightest.resetAt()))));
        if (refused) {
            headers.put("Retry-After", Long.toString(wholeSeconds(retryAfter())));
        }
        return headers;
    }

    /** Why a refused request was refused, naming every used-up window. */
    public String refusal() {
        String windows = windows().stream().filter(Window::usedUp)
                .map(w -> w.holder() + "'s " + w.limit() + " requests per " + w.span().wireName())
                .collect(Collectors.joining(" and "));
        return "the rate limit is reached: " + windows + "; retry in " + wholeSeconds(retryAfter()) + " s";
    }

    private static long wholeSeconds(Duration duration) {
        long seconds = duration.toSeconds() + (duration.toNanosPart() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }
}
