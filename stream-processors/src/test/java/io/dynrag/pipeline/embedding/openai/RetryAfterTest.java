package io.dynrag.pipeline.embedding.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-11-26T14:22:40Z");

    @Test
    void readsDelaySeconds() {
        assertThat(RetryAfter.parse("7", NOW)).hasValue(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse(" 0 ", NOW)).hasValue(Duration.ZERO);
        assertThat(RetryAfter.parse("1.5", NOW)).hasValue(Duration.ofMillis(1500));
    }

    @Test
    void readsAnHttpDate() {
        assertThat(RetryAfter.parse("Thu, 26 Nov 2026 14:23:10 GMT", NOW)).hasValue(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse("Thu, 26 Nov 2026 14:00:00 GMT", NOW)).hasValue(Duration.ZERO);
    }

    @Test
    void ignoresWhatItCannotRead() {
        assertThat(RetryAfter.parse("soon", NOW)).isEmpty();
        assertThat(RetryAfter.parse("-3", NOW)).isEmpty();
        assertThat(RetryAfter.parse("", NOW)).isEmpty();
    }

    @Test
    void prefersOpenAisMillisecondHeader() {
        HttpHeaders headers = HttpHeaders.of(Map.of("retry-after-ms", List.of("250"), "Retry-After", List.of("1")),
                (name, value) -> true);

        assertThat(RetryAfter.from(headers, NOW)).hasValue(Duration.ofMillis(250));
    }

    @Test
    void capsAbsurdDelaysAtADay() {
        assertThat(RetryAfter.parse("99999999999", NOW)).hasValue(Duration.ofDays(1));
    }
}
