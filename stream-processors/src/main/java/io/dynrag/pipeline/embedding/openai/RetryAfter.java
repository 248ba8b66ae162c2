package io.dynrag.pipeline.embedding.openai;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reads how long a provider asks a client to wait before its next request. */
final class RetryAfter {

    private RetryAfter() {
    }

    /**
     * OpenAI's {@code retry-after-ms} (milliseconds) if present, else the standard {@code Retry-After}
     * as delay-seconds or an HTTP-date. A date in the past means "now"; an unreadable value is ignored.
     */
    static Optional<Duration> from(HttpHeaders headers, Instant now) {
        Optional<Duration> millis = headers.firstValue("retry-after-ms").flatMap(value -> number(value, 1));
        if (millis.isPresent()) {
            return millis;
        }
        return headers.firstValue("retry-after").flatMap(value -> parse(value, now));
    }

    static Optional<Duration> parse(String value, Instant now) {
        String trimmed = value.trim();
        if (!trimmed.isEmpty() && Character.isDigit(trimmed.charAt(0))) {
            return number(trimmed, 1000);
        }
        try {
            Instant at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Optional<Duration> number(String value, long millisPerUnit) {
        try {
            double units = Double.parseDouble(value.trim());
            if (!(units >= 0) || Double.isInfinite(units)) {
                return Optional.empty();
            }
            // Capped at a day: anything longer means "not within this call" just the same.
            return Optional.of(Duration.ofMillis((long) Math.min(units * millisPerUnit, Duration.ofDays(1).toMillis())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
