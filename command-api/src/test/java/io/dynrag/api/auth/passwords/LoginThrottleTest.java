package io.dynrag.api.auth.passwords;

import io.dynrag.api.testing.MutableClock;
import io.dynrag.api.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class LoginThrottleTest {

    private static final String EMAIL = "email:ann@example.com";

    private final TestDatabase database = TestDatabase.get();
    private final MutableClock clock = MutableClock.atRealTime();
    private final LoginThrottle throttle = new LoginThrottle(database.transactions(), clock);

    @BeforeEach
    void emptyTable() {
        database.truncate("login_throttle");
    }

    @Test
    void theLockDoublesFromTheSixthFailureUpToFifteenMinutes() {
        assertThat(LoginThrottle.lockAfter(1)).isZero();
        assertThat(LoginThrottle.lockAfter(5)).isZero();
        assertThat(LoginThrottle.lockAfter(6)).hasSeconds(2);
        assertThat(LoginThrottle.lockAfter(7)).hasSeconds(4);
        assertThat(LoginThrottle.lockAfter(14)).hasSeconds(512);
        assertThat(LoginThrottle.lockAfter(15)).isEqualTo(Duration.ofMinutes(15));
        assertThat(LoginThrottle.lockAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void fiveFailuresAreFreeAndTheSixthLocks() {
        for (int i = 0; i < 5; i++) {
            throttle.recordFailure(EMAIL);
            assertThat(throttle.retryAfter(EMAIL)).as("after failure %d", i + 1).isEmpty();
        }

        throttle.recordFailure(EMAIL);

        assertThat(throttle.retryAfter(EMAIL)).contains(Duration.ofSeconds(2));
        clock.advance(Duration.ofMillis(1500));
        assertThat(throttle.retryAfter(EMAIL)).contains(Duration.ofMillis(500));
        clock.advance(Duration.ofMillis(500));
        assertThat(throttle.retryAfter(EMAIL)).isEmpty();
    }

    @Test
    void eachFurtherFailureDoublesTheLockUntilTheCap() {
        failTimes(EMAIL, 6);
        clock.advance(Duration.ofSeconds(2));

        throttle.recordFailure(EMAIL);
        assertThat(throttle.retryAfter(EMAIL)).contains(Duration.ofSeconds(4));

        failTimes(EMAIL, 20);
        assertThat(throttle.retryAfter(EMAIL)).contains(Duration.ofMinutes(15));
    }

    @Test
    void anHourWithoutFailuresForgetsTheCount() {
        failTimes(EMAIL, 12);
        assertThat(throttle.retryAfter(EMAIL)).isPresent();

        clock.advance(Duration.ofHours(1));

        assertThat(throttle.retryAfter(EMAIL)).isEmpty();
        failTimes(EMAIL, 5);
        assertThat(throttle.retryAfter(EMAIL)).as("the count started again at one").isEmpty();
        throttle.recordFailure(EMAIL);
        assertThat(throttle.retryAfter(EMAIL)).contains(Duration.ofSeconds(2));
    }

    @Test
    void failuresWithinTheHourKeepCounting() {
        failTimes(EMAIL, 5);
        clock.advance(Duration.ofMinutes(59));

        throttle.recordFailure(EMAIL);

        assertThat(throttle.retryAfter(EMAIL)).contains(Duration.ofSeconds(2));
    }

    @Test
    void aSuccessResetsTheSubject() {
        failTimes(EMAIL, 8);

        throttle.recordSuccess(EMAIL);

        assertThat(throttle.retryAfter(EMAIL)).isEmpty();
        failTimes(EMAIL, 5);
        assertThat(throttle.retryAfter(EMAIL)).isEmpty();
    }

    @Test
    void subjectsAreCountedApart() {
        failTimes(EMAIL, 6);

        assertThat(throttle.retryAfter(EMAIL)).isPresent();
        assertThat(throttle.retryAfter("email:bob@example.com")).isEmpty();
        assertThat(throttle.retryAfter("ip:192.0.2.1")).isEmpty();
    }

    @Test
    void parallelFailuresAreAllCounted() throws Exception {
        int parallel = 10;
        ExecutorService threads = Executors.newFixedThreadPool(parallel);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> results = new ArrayList<>();
        try {
            for (int i = 0; i < parallel; i++) {
                results.add(threads.submit(() -> {
                    start.await();
                    throttle.recordFailure("ip:198.51.100.7");
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> result : results) {
                result.get();
            }
        } finally {
            threads.shutdownNow();
        }

        // 10 failures lock for 2^5 s; a lost update would leave 9 (16 s) or fewer.
        assertThat(throttle.retryAfter("ip:198.51.100.7")).contains(Duration.ofSeconds(32));
    }

    private void failTimes(String subject, int times) {
        for (int i = 0; i < times; i++) {
            throttle.recordFailure(subject);
        }
    }
}
