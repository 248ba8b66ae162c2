package io.dynrag.identity.ratelimit;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dynrag.domain.customer.CustomerCeilings;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.identity.credentials.ApiKeys;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.platform.http.Json;
import io.dynrag.platform.testing.MutableClock;
import io.dynrag.platform.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitsTest {

    /** Ten seconds into a minute, well inside a day: resets are easy to state. */
    private static final Instant NOON = Instant.parse("2031-03-14T12:00:10Z");

    private final TestDatabase database = TestDatabase.get();
    private final MutableClock clock = new MutableClock(NOON);
    /** Far above every test's own numbers, except where a test sets the customer's ceilings. */
    private static final CustomerCeilings DEFAULT_CEILINGS = new CustomerCeilings(1_000_000, 1_000_000_000,
            10_000_000, 1L << 40);

    private final RateLimits limits = new RateLimits(database.dataSource(), clock, DEFAULT_CEILINGS);
    private final ApiKeys apiKeys = new ApiKeys(database.transactions(), clock);

    @Test
    void admitsUpToTheMinuteLimitThenRefusesWithoutCountingTheRefusal() {
        String customer = customer(3, 100);

        List<Integer> remaining = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RateLimitState admitted = limits.take(customer, null).orElseThrow();
            assertThat(admitted.refused()).isFalse();
            remaining.add(admitted.customer().minute().remaining());
        }
        RateLimitState refused = limits.take(customer, null).orElseThrow();

        assertThat(remaining).containsExactly(2, 1, 0);
        assertThat(refused.refused()).isTrue();
        assertThat(refused.key()).isNull();
        assertThat(refused.customer().minute()).isEqualTo(new RateLimitState.Window("the customer",
                RateLimitState.Span.MINUTE, 3, 3, Instant.parse("2031-03-14T12:01:00Z")));
        assertThat(refused.customer().day().used()).as("the refusal is counted in no window").isEqualTo(3);
        assertThat(refused.customer().day().resetAt()).isEqualTo(Instant.parse("2031-03-15T00:00:00Z"));
        assertThat(refused.headers()).containsExactly(
                Map.entry("RateLimit-Limit", "3"), Map.entry("RateLimit-Remaining", "0"),
                Map.entry("RateLimit-Reset", "50"), Map.entry("Retry-After", "50"));
        assertThat(refused.refusal()).contains("the customer's 3 requests per minute").contains("50 s");
    }

    @Test
    void aNewMinuteStartsFromZeroWhileTheDayKeepsCountingUntilMidnight() {
        String customer = customer(2, 3);
        limits.take(customer, null);
        limits.take(customer, null);
        assertThat(limits.take(customer, null).orElseThrow().refused()).isTrue();

        clock.advance(Duration.ofMinutes(1));
        RateLimitState nextMinute = limits.take(customer, null).orElseThrow();
        RateLimitState dayUsedUp = limits.take(customer, null).orElseThrow();

        assertThat(nextMinute.refused()).isFalse();
        assertThat(nextMinute.customer().minute().used()).isEqualTo(1);
        assertThat(nextMinute.customer().day().used()).isEqualTo(3);
        assertThat(dayUsedUp.refused()).isTrue();
        assertThat(dayUsedUp.customer().minute().used()).isEqualTo(1);
        assertThat(dayUsedUp.tightest().span()).isEqualTo(RateLimitState.Span.DAY);
        assertThat(dayUsedUp.retryAfter()).isEqualTo(Duration.between(clock.instant(),
                Instant.parse("2031-03-15T00:00:00Z")));

        clock.advance(Duration.ofHours(12));
        RateLimitState nextDay = limits.take(customer, null).orElseThrow();
        assertThat(nextDay.refused()).isFalse();
        assertThat(nextDay.customer().day().used()).isEqualTo(1);
    }

    @Test
    void aKeyWithItsOwnLimitIsRefusedWithoutTakingFromItsCustomer() {
        String customer = customer(100, 1000);
        String key = apiKeys.issue(customer, "indexer", EnumSet.of(Scope.INGEST),
                new ApiKeys.RequestLimits(2, null)).keyId();

        limits.take(customer, key);
        limits.take(customer, key);
        RateLimitState refused = limits.take(customer, key).orElseThrow();
        RateLimitState user = limits.take(customer, null).orElseThrow();

        assertThat(refused.refused()).isTrue();
        assertThat(refused.key().id()).isEqualTo(key);
        assertThat(refused.key().minute().limit()).isEqualTo(2);
        assertThat(refused.key().day().limit()).as("the customer's number where the key sets none").isEqualTo(1000);
        assertThat(refused.customer().minute().used()).isEqualTo(2);
        assertThat(refused.tightest()).isEqualTo(refused.key().minute());
        assertThat(refused.refusal()).contains("this API key's 2 requests per minute");
        assertThat(user.refused()).isFalse();
        assertThat(user.customer().minute().used()).isEqualTo(3);
        assertThat(apiKeys.list(customer).getFirst().limits()).isEqualTo(new ApiKeys.RequestLimits(2, null));
    }

    @Test
    void theCustomersLimitCoversAllItsKeysAndUsersAndARefusedKeyTakesNothingFromItsOwnWindows() {
        String customer = customer(3, 1000);
        String first = apiKeys.issue(customer, "a", EnumSet.of(Scope.READ)).keyId();
        String second = apiKeys.issue(customer, "b", EnumSet.of(Scope.READ)).keyId();

        limits.take(customer, first);
        limits.take(customer, first);
        limits.take(customer, null);
        RateLimitState refused = limits.take(customer, second).orElseThrow();

        assertThat(refused.refused()).isTrue();
        assertThat(refused.customer().minute().used()).isEqualTo(3);
        assertThat(refused.key().minute().used()).isZero();
        assertThat(refused.key().day().used()).isZero();
        assertThat(refused.tightest()).isEqualTo(refused.customer().minute());
        assertThat(limits.peek(customer, first).orElseThrow().key().minute().used()).isEqualTo(2);
    }

    @Test
    void lookingCountsNothing() {
        String customer = customer(5, 100);
        limits.take(customer, null);

        RateLimitState first = limits.peek(customer, null).orElseThrow();
        RateLimitState second = limits.peek(customer, null).orElseThrow();

        assertThat(second).isEqualTo(first);
        assertThat(second.refused()).isFalse();
        assertThat(second.customer().minute().used()).isEqualTo(1);
        assertThat(second.headers()).doesNotContainKey("Retry-After").containsEntry("RateLimit-Remaining", "4");
        assertThat(limits.peek(customer("never called", 5, 100), null).orElseThrow().customer().day().used()).isZero();
    }

    @Test
    void aLoweredLimitRefusesAtOnceAndShowsNothingRemaining() {
        String customer = customer(10, 100);
        for (int i = 0; i < 4; i++) {
            limits.take(customer, null);
        }

        configure(customer, 2, 100);
        RateLimitState refused = limits.take(customer, null).orElseThrow();

        assertThat(refused.refused()).isTrue();
        assertThat(refused.customer().minute().remaining()).isZero();
        assertThat(refused.customer().minute().used()).isEqualTo(4);
    }

    @Test
    void aCustomersLimitIsItsValueOrItsCeilingWhicheverIsLower() {
        String customer = customer(10, 1_000);
        RateLimits lowDefaults = new RateLimits(database.dataSource(), clock, new CustomerCeilings(3, 500, 1, 1L));

        RateLimitState byDefault = lowDefaults.peek(customer, null).orElseThrow();
        execute("UPDATE customer_account SET ceilings = CAST(? AS JSONB) WHERE customer_id = ?",
                "{\"requestsPerMinute\": 5, \"requestsPerDay\": null, \"maxDocuments\": null, \"maxFileBytes\": null}",
                customer);
        RateLimitState byOperator = lowDefaults.peek(customer, null).orElseThrow();
        RateLimitState underValues = limits.peek(customer, null).orElseThrow();

        assertThat(byDefault.customer().minute().limit()).isEqualTo(3);
        assertThat(byDefault.customer().day().limit()).isEqualTo(500);
        assertThat(byOperator.customer().minute().limit()).as("the operator's ceiling").isEqualTo(5);
        assertThat(byOperator.customer().day().limit()).as("the default where the operator set none").isEqualTo(500);
        assertThat(underValues.customer().minute().limit()).as("a ceiling above the value").isEqualTo(5);
        assertThat(underValues.customer().day().limit()).isEqualTo(1_000);
        for (int i = 0; i < 5; i++) {
            assertThat(lowDefaults.take(customer, null).orElseThrow().refused()).isFalse();
        }
        assertThat(lowDefaults.take(customer, null).orElseThrow().refused()).isTrue();
    }

    @Test
    void aKeysOwnLimitIsAtMostItsCustomers() {
        String customer = customer(4, 1_000);
        String key = apiKeys.issue(customer, "greedy", EnumSet.of(Scope.READ),
                new ApiKeys.RequestLimits(100, 5_000)).keyId();

        RateLimitState state = limits.peek(customer, key).orElseThrow();
        configure(customer, 2, 800);
        RateLimitState lowered = limits.peek(customer, key).orElseThrow();

        assertThat(state.key().minute().limit()).isEqualTo(4);
        assertThat(state.key().day().limit()).isEqualTo(1_000);
        assertThat(lowered.key().minute().limit()).isEqualTo(2);
        assertThat(lowered.key().day().limit()).isEqualTo(800);
    }

    @Test
    void aRevokedKeyOrAnInactiveCustomerHasNoState() {
        String customer = customer(10, 100);
        String key = apiKeys.issue(customer, "old", EnumSet.of(Scope.READ)).keyId();
        apiKeys.revoke(customer, key);
        String suspended = customer(10, 100);
        execute("UPDATE customer_account SET status = 'SUSPENDED' WHERE customer_id = ?", suspended);

        assertThat(limits.take(customer, key)).isEmpty();
        assertThat(limits.take(suspended, null)).isEmpty();
        assertThat(limits.take("no-such-customer", null)).isEmpty();
        assertThat(limits.take(customer("other", 10, 100), apiKeys.issue(customer, "foreign",
                EnumSet.of(Scope.READ)).keyId())).as("a key of another customer").isEmpty();
    }

    @Test
    void anInstanceWhoseClockIsBehindCountsInTheNewerWindowAndNeverMovesItBack() {
        String customer = customer(5, 100);
        MutableClock ahead = new MutableClock(Instant.parse("2031-03-14T12:01:00.100Z"));
        MutableClock behind = new MutableClock(Instant.parse("2031-03-14T12:00:59.900Z"));

        new RateLimits(database.dataSource(), ahead, DEFAULT_CEILINGS).take(customer, null);
        RateLimitState late = new RateLimits(database.dataSource(), behind, DEFAULT_CEILINGS).take(customer, null).orElseThrow();

        assertThat(late.customer().minute().used()).isEqualTo(2);
        assertThat(late.customer().minute().resetAt()).isEqualTo(Instant.parse("2031-03-14T12:02:00Z"));
    }

    /**
     * Two limiters (as two API instances would have) on separate connections, many threads at once:
     * exactly the limit is admitted, and a key's share is counted in both its windows and its customer's.
     */
    @Test
    void parallelRequestsFromTwoInstancesAdmitExactlyTheLimit() throws Exception {
        int limit = 40;
        int threads = 8;
        int requestsPerThread = 15;
        String customer = customer(limit, 10 * limit);
        String key = apiKeys.issue(customer, "parallel", EnumSet.of(Scope.SEARCH)).keyId();
        List<RateLimits> instances = List.of(limits, new RateLimits(database.dataSource(), clock, DEFAULT_CEILINGS));
        CountDownLatch start = new CountDownLatch(1);
        List<Future<int[]>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                RateLimits instance = instances.get(t % 2);
                String keyId = t % 4 < 2 ? key : null;
                results.add(pool.submit(() -> {
                    start.await();
                    int admitted = 0;
                    int refused = 0;
                    for (int i = 0; i < requestsPerThread; i++) {
                        if (instance.take(customer, keyId).orElseThrow().refused()) {
                            refused++;
                        } else {
                            admitted++;
                        }
                    }
                    return new int[]{admitted, refused, keyId == null ? 0 : admitted};
                }));
            }
            start.countDown();
            int admitted = 0;
            int refused = 0;
            int admittedWithKey = 0;
            for (Future<int[]> result : results) {
                admitted += result.get()[0];
                refused += result.get()[1];
                admittedWithKey += result.get()[2];
            }

            assertThat(admitted).isEqualTo(limit);
            assertThat(refused).isEqualTo(threads * requestsPerThread - limit);
            RateLimitState after = limits.peek(customer, key).orElseThrow();
            assertThat(after.customer().minute().used()).isEqualTo(limit);
            assertThat(after.customer().day().used()).isEqualTo(limit);
            assertThat(after.key().minute().used()).isEqualTo(admittedWithKey);
            assertThat(after.key().day().used()).isEqualTo(admittedWithKey);
        }
    }

    @Test
    void sweepingForgetsSubjectsWithoutARequestTodayAndKeepsTheOthers() {
        MutableClock past = new MutableClock(Instant.parse("2020-01-01T23:59:00Z"));
        RateLimits earlier = new RateLimits(database.dataSource(), past, DEFAULT_CEILINGS);
        String quiet = customer("quiet", 5, 100);
        String busy = customer("busy", 5, 100);
        earlier.take(quiet, null);
        earlier.take(busy, null);
        past.advance(Duration.ofMinutes(2));
        earlier.take(busy, null);

        int forgotten = earlier.forgetIdle();

        assertThat(forgotten).isGreaterThanOrEqualTo(1);
        assertThat(database.queryOne("SELECT count(*) FROM rate_limit_counter WHERE subject = ?", Long.class,
                "customer:" + quiet)).isZero();
        assertThat(earlier.peek(busy, null).orElseThrow().customer().day().used()).isEqualTo(1);
    }

    private String customer(int perMinute, int perDay) {
        return customer("customer", perMinute, perDay);
    }

    private String customer(String label, int perMinute, int perDay) {
        String id = label.replace(' ', '-') + "-" + UUID.randomUUID();
        execute("""
                INSERT INTO customer_account (customer_id, status, configuration, registered_at, updated_at)
                VALUES (?, 'ACTIVE', CAST(? AS JSONB), now(), now())""", id, configuration(perMinute, perDay));
        return id;
    }

    private void configure(String customer, int perMinute, int perDay) {
        execute("UPDATE customer_account SET configuration = CAST(? AS JSONB) WHERE customer_id = ?",
                configuration(perMinute, perDay), customer);
    }

    /** Serialised exactly as the customer accounts store it. */
    private static String configuration(int perMinute, int perDay) {
        try {
            return Json.apiMapper().writeValueAsString(new CustomerConfiguration(perMinute, perDay, 100, 1_000_000,
                    CustomerConfiguration.SUPPORTED_CONTENT_TYPES, 120, 0, CustomerConfiguration.LOCAL_MODEL, null,
                    CustomerConfiguration.DEFAULT_BUDGET_ALERT_PERCENT, null, 30));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void execute(String sql, Object... parameters) {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

}
