package io.dynrag.identity.passwords;

import io.dynrag.identity.users.Role;
import io.dynrag.identity.users.UserAccounts;
import io.dynrag.platform.testing.MutableClock;
import io.dynrag.platform.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class LoginThrottleTest {

    private static final String ANN = "ann@example.com";
    private static final String BOB = "bob@example.com";
    private static final String HASH = "$argon2id$v=19$m=32768,t=2,p=1$c2FsdA$aGFzaA";
    private static final InetAddress ATTACKER = address("198.51.100.7");
    private static final InetAddress OWNER = address("203.0.113.20");

    private final TestDatabase database = TestDatabase.get();
    private final MutableClock clock = MutableClock.atRealTime();
    private final LoginThrottle throttle = new LoginThrottle(database.transactions(), clock);

    @BeforeEach
    void emptyTables() {
        database.truncate("login_throttle", "login_known_address", "user_account");
        UserAccounts users = new UserAccounts(database.transactions());
        users.create("customer-ann", ANN, HASH, Role.CUSTOMER);
        users.create("customer-bob", BOB, HASH, Role.CUSTOMER);
    }

    @Test
    void theLockDoublesPastTheFreeFailuresUpToFifteenMinutes() {
        assertThat(LoginThrottle.lockAfter(1, 5)).isZero();
        assertThat(LoginThrottle.lockAfter(5, 5)).isZero();
        assertThat(LoginThrottle.lockAfter(6, 5)).hasSeconds(2);
        assertThat(LoginThrottle.lockAfter(7, 5)).hasSeconds(4);
        assertThat(LoginThrottle.lockAfter(14, 5)).hasSeconds(512);
        assertThat(LoginThrottle.lockAfter(15, 5)).isEqualTo(Duration.ofMinutes(15));
        assertThat(LoginThrottle.lockAfter(Integer.MAX_VALUE, 5)).isEqualTo(Duration.ofMinutes(15));
        assertThat(LoginThrottle.lockAfter(100, 100)).isZero();
        assertThat(LoginThrottle.lockAfter(101, 100)).hasSeconds(2);
    }

    @Test
    void fiveFailuresAreFreeAndTheSixthLocksThatAddress() {
        for (int i = 0; i < 5; i++) {
            throttle.recordSignInFailure(ANN, ATTACKER);
            assertThat(throttle.signInRetryAfter(ANN, ATTACKER)).as("after failure %d", i + 1).isEmpty();
        }

        throttle.recordSignInFailure(ANN, ATTACKER);

        assertThat(throttle.signInRetryAfter(ANN, ATTACKER)).contains(Duration.ofSeconds(2));
        clock.advance(Duration.ofMillis(1500));
        assertThat(throttle.signInRetryAfter(ANN, ATTACKER)).contains(Duration.ofMillis(500));
        clock.advance(Duration.ofMillis(500));
        assertThat(throttle.signInRetryAfter(ANN, ATTACKER)).isEmpty();
    }

    @Test
    void oneAddressGuessingIsSlowedDownThereOnlySoTheOwnerSignsInFromAnyOtherAddress() {
        failTimes(ANN, ATTACKER, 12);

        assertThat(throttle.signInRetryAfter(ANN, ATTACKER)).as("the attacker at the account").isPresent();
        assertThat(throttle.signInRetryAfter(BOB, ATTACKER)).as("the attacker at any other account").isPresent();
        assertThat(throttle.signInRetryAfter(ANN, OWNER)).as("the owner, at an address never used before").isEmpty();
        assertThat(throttle.signInRetryAfter(ANN, address("192.0.2.1"))).isEmpty();
        assertThat(throttle.signInRetryAfter(BOB, OWNER)).isEmpty();
    }

    @Test
    void eachFurtherFailureDoublesTheLockUntilTheCap() {
        failTimes(ANN, ATTACKER, 6);
        clock.advance(Duration.ofSeconds(2));

        throttle.recordSignInFailure(ANN, ATTACKER);
        assertThat(throttle.signInRetryAfter(ANN, ATTACKER)).contains(Duration.ofSeconds(4));

        failTimes(ANN, ATTACKER, 20);
        assertThat(throttle.signInRetryAfter(ANN, ATTACKER)).contains(Duration.ofMinutes(15));
    }

    @Test
    void anHourWithoutFailuresForgetsTheCount() {
        failTimes(ANN, ATTACKER, 12);
        assertThat(throttle.signInRetryAfter(ANN, ATTACKER)).isPresent();

        clock.advance(Duration.ofHours(1));

        assertThat(throttle.signInRetryAfter(ANN, ATTACKER)).isEmpty();
        failTimes(ANN, ATTACKER, 5);
        assertThat(throttle.signInRetryAfter(ANN, ATTACKER)).as("the count started again at one").isEmpty();
        throttle.recordSignInFailure(ANN, ATTACKER);
        assertThat(throttle.signInRetryAfter(ANN, ATTACKER)).contains(Duration.ofSeconds(2));
    }

    @Test
    void failuresWithinTheHourKeepCounting() {
        failTimes(ANN, ATTACKER, 5);
        clock.advance(Duration.ofMinutes(59));

        throttle.recordSignInFailure(ANN, ATTACKER);

        assertThat(throttle.signInRetryAfter(ANN, ATTACKER)).contains(Duration.ofSeconds(2));
    }

    @Test
    void aSuccessClearsTheEmailAtThatAddressButNotTheAddress() {
        failTimes(ANN, OWNER, 4);
        failTimes(BOB, OWNER, 1);

        throttle.recordSignInSuccess(ANN, OWNER);
        failTimes(ANN, OWNER, 4);
        assertThat(throttle.signInRetryAfter(ANN, OWNER)).as("9 failures of the address: locked").isPresent();

        clock.advance(Duration.ofSeconds(600));
        assertThat(throttle.signInRetryAfter(ANN, OWNER)).isEmpty();
        failTimes(ANN, OWNER, 1);
        assertThat(throttle.signInRetryAfter(ANN, OWNER)).as("the address counts on").contains(Duration.ofSeconds(32));
    }

    @Test
    void aGuessSpreadOverManyAddressesSlowsTheAccountDownOnlyWhereItsOwnerNeverSignedIn() {
        throttle.recordSignInSuccess(ANN, OWNER);
        for (int i = 1; i <= LoginThrottle.EMAIL_FREE_FAILURES; i++) {
            throttle.recordSignInFailure(ANN, botnet(i));
        }
        assertThat(throttle.signInRetryAfter(ANN, address("192.0.2.1"))).as("100 failures are free").isEmpty();

        throttle.recordSignInFailure(ANN, botnet(LoginThrottle.EMAIL_FREE_FAILURES + 1));

        assertThat(throttle.signInRetryAfter(ANN, address("192.0.2.1"))).as("an unknown address")
                .contains(Duration.ofSeconds(2));
        assertThat(throttle.signInRetryAfter(ANN, botnet(200))).contains(Duration.ofSeconds(2));
        assertThat(throttle.signInRetryAfter(ANN, OWNER)).as("where the owner signed in before").isEmpty();
        assertThat(throttle.signInRetryAfter(BOB, address("192.0.2.1"))).as("another account").isEmpty();
        throttle.recordSignInSuccess(BOB, address("192.0.2.1"));
        assertThat(throttle.signInRetryAfter(ANN, address("192.0.2.1"))).as("known to another account only")
                .isPresent();
    }

    @Test
    void anAddressStaysKnownForNinetyDaysAfterItsLastSuccess() {
        throttle.recordSignInSuccess(ANN, OWNER);
        clock.advance(Duration.ofDays(LoginThrottle.KNOWN_FOR_DAYS).minusMinutes(1));
        spreadGuess(ANN, LoginThrottle.EMAIL_FREE_FAILURES + 1);
        assertThat(throttle.signInRetryAfter(ANN, OWNER)).isEmpty();

        clock.advance(Duration.ofHours(2));
        spreadGuess(ANN, LoginThrottle.EMAIL_FREE_FAILURES + 1);

        assertThat(throttle.signInRetryAfter(ANN, OWNER)).isPresent();
    }

    @Test
    void ipv6ClientsAreCountedPerSlash64Network() {
        for (int i = 1; i <= 6; i++) {
            throttle.recordSignInFailure(ANN, address("2001:db8:1:2::" + i));
        }

        assertThat(throttle.signInRetryAfter(ANN, address("2001:db8:1:2:ffff::99"))).as("the same /64").isPresent();
        assertThat(throttle.signInRetryAfter(ANN, address("2001:db8:1:3::1"))).as("the next /64").isEmpty();
        assertThat(LoginThrottle.addressKey(address("2001:db8:1:2:aaaa:bbbb:cccc:dddd")))
                .isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(LoginThrottle.addressKey(address("::ffff:192.0.2.1"))).isEqualTo("192.0.2.1");
    }

    @Test
    void signUpsAreCountedPerAddressWhateverTheirOutcome() {
        for (int i = 0; i < 5; i++) {
            throttle.recordSignUp(ATTACKER);
            assertThat(throttle.signUpRetryAfter(ATTACKER)).as("after sign-up %d", i + 1).isEmpty();
        }

        throttle.recordSignUp(ATTACKER);

        assertThat(throttle.signUpRetryAfter(ATTACKER)).contains(Duration.ofSeconds(2));
        assertThat(throttle.signUpRetryAfter(OWNER)).isEmpty();
        assertThat(throttle.signInRetryAfter(ANN, ATTACKER)).as("sign-ups are not failed sign-ins").isEmpty();
    }

    @Test
    void staleCountersAndAddressesAreForgottenAndAnAccountsAddressesGoWithIt() {
        failTimes(ANN, ATTACKER, 3);
        throttle.recordSignInSuccess(ANN, OWNER);
        throttle.recordSignInSuccess(BOB, OWNER);
        assertThat(throttle.forgetStale()).isZero();

        clock.advance(Duration.ofHours(1));
        assertThat(throttle.forgetStale()).as("the three subjects of the failures").isEqualTo(3);
        assertThat(rows("login_throttle")).isZero();
        assertThat(rows("login_known_address")).isEqualTo(2);

        database.queryOne("DELETE FROM user_account WHERE email = ? RETURNING email", String.class, ANN);
        assertThat(rows("login_known_address")).as("Bob's").isEqualTo(1);
    }

    @Test
    void knownAddressesAgeOut() {
        throttle.recordSignInSuccess(ANN, OWNER);
        clock.advance(Duration.ofDays(LoginThrottle.KNOWN_FOR_DAYS));

        assertThat(throttle.forgetStale()).isEqualTo(1);
        assertThat(rows("login_known_address")).isZero();
    }

    @Test
    void parallelFailuresAreAllCounted() throws Exception {
        int parallel = 10;
        ExecutorService threads = Executors.newFixedThreadPool(parallel);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> results = new ArrayList<>();
        try {
            for (int i = 0; i < parallel; i++) {
                String email = "guess" + i + "@example.com";
                results.add(threads.submit(() -> {
                    start.await();
                    throttle.recordSignInFailure(email, ATTACKER);
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

        // 10 failures of the address lock it for 2^5 s; a lost update would leave 9 (16 s) or fewer.
        assertThat(throttle.signInRetryAfter(ANN, ATTACKER)).contains(Duration.ofSeconds(32));
    }

    private void failTimes(String email, InetAddress client, int times) {
        for (int i = 0; i < times; i++) {
            throttle.recordSignInFailure(email, client);
        }
    }

    /** One failure from each of {@code addresses} different addresses. */
    private void spreadGuess(String email, int addresses) {
        for (int i = 1; i <= addresses; i++) {
            throttle.recordSignInFailure(email, botnet(i));
        }
    }

    private static InetAddress botnet(int n) {
        return address("10.7." + n / 250 + "." + (n % 250 + 1));
    }

    private long rows(String table) {
        return database.queryOne("SELECT count(*) FROM " + table, Long.class);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
