package io.dynrag.webhooks;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookRetryScheduleTest {

    private static final Instant CREATED = Instant.parse("2026-11-26T12:00:00Z");

    @Test
    void ceilingsDoubleFromTheFirstRetryUpToAnHour() {
        RetrySchedule schedule = new RetrySchedule(WebhookSettings.DEFAULTS, new Random(1));

        List<Long> seconds = new ArrayList<>();
        for (int failed = 1; failed <= 10; failed++) {
            seconds.add(schedule.ceiling(failed).toSeconds());
        }

        assertThat(seconds).containsExactly(30L, 60L, 120L, 240L, 480L, 960L, 1920L, 3600L, 3600L, 3600L);
        assertThat(schedule.ceiling(1_000)).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> schedule.ceiling(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void delaysAreDrawnOverTheWholeRangeBelowTheCeiling() {
        RetrySchedule schedule = new RetrySchedule(WebhookSettings.DEFAULTS, new Random(42));
        Instant failedAt = CREATED.plusSeconds(90);

        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Instant next = schedule.nextAttempt(CREATED, failedAt, 3).orElseThrow();
            delays.add(Duration.between(failedAt, next).toMillis());
        }

        assertThat(delays).allSatisfy(delay -> assertThat(delay).isBetween(0L, 120_000L));
        assertThat(delays.stream().mapToLong(Long::longValue).min().orElseThrow()).isLessThan(12_000L);
        assertThat(delays.stream().mapToLong(Long::longValue).max().orElseThrow()).isGreaterThan(108_000L);
        assertThat(delays.stream().distinct().count()).as("jittered, not fixed").isGreaterThan(1_000L);
    }

    @Test
    void noAttemptIsScheduledAfterTheRetryWindow() {
        RetrySchedule schedule = new RetrySchedule(WebhookSettings.DEFAULTS, alwaysTheCeiling());

        assertThat(schedule.nextAttempt(CREATED, CREATED.plus(Duration.ofHours(23)), 20))
                .contains(CREATED.plus(Duration.ofHours(24)));
        assertThat(schedule.nextAttempt(CREATED, CREATED.plus(Duration.ofHours(23)).plusSeconds(1), 20)).isEmpty();
    }

    @Test
    void aDeliveryThatAlwaysFailsIsAttemptedForTwentyFourHoursAtLeastHourly() {
        RetrySchedule schedule = new RetrySchedule(WebhookSettings.DEFAULTS, alwaysTheCeiling());

        List<Instant> attempts = new ArrayList<>(List.of(CREATED));
        Optional<Instant> next = schedule.nextAttempt(CREATED, CREATED, 1);
        while (next.isPresent()) {
            attempts.add(next.get());
            next = schedule.nextAttempt(CREATED, next.get(), attempts.size());
        }

        // 30 s, 1, 2, 4, 8, 16, 32 minutes, then hourly until the window ends.
        assertThat(attempts.subList(0, 8)).containsExactly(CREATED, CREATED.plusSeconds(30), CREATED.plusSeconds(90),
                CREATED.plusSeconds(210), CREATED.plusSeconds(450), CREATED.plusSeconds(930), CREATED.plusSeconds(1890),
                CREATED.plusSeconds(3810));
        assertThat(attempts.getLast()).isBeforeOrEqualTo(CREATED.plus(Duration.ofHours(24)))
                .isAfter(CREATED.plus(Duration.ofHours(23)));
        assertThat(attempts).hasSize(8 + 22);
    }

    @Test
    void settingsRejectNonsense() {
        assertThatThrownBy(() -> new WebhookSettings(Duration.ZERO, Duration.ofHours(24)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WebhookSettings(Duration.ofHours(2), Duration.ofHours(24)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WebhookSettings(Duration.ofSeconds(30), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Always the longest delay, so a test can predict every attempt. */
    static RandomGenerator alwaysTheCeiling() {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public long nextLong(long bound) {
                return bound - 1;
            }
        };
    }
}
