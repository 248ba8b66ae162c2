package io.dynrag.identity.passwords;

import io.dynrag.platform.persistence.Statements;
import org.axonframework.common.jdbc.ConnectionProvider;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down password guessing at sign-in, and sign-ups, by client address, so that no one can lock an account's
 * owner out by failing on purpose. Each subject counts consecutive failures; past its free ones, each further
 * failure locks the subject for twice as long as the one before (2 s, 4 s, 8 s, ...), at most 15 minutes, and an
 * hour without a failure forgets the count. A refused attempt (429) records nothing, so a lock only grows with
 * the failures it lets through.
 *
 * <p>A sign-in is checked, before its password, against three subjects, and a wrong password counts for all three:
 * <ul>
 *     <li>the email from this client address: {@value #FREE_FAILURES} free failures. One address guessing one
 *     account's password is slowed down there, and only there: the owner elsewhere never notices.</li>
 *     <li>the client address, whatever the email: {@value #FREE_FAILURES} free failures. One address trying a
 *     password on many accounts is slowed down (behind a shared address, such as an office's NAT, its users
 *     share this one too).</li>
 *     <li>the email from any address: {@value #EMAIL_FREE_FAILURES} free failures, so it is reached only by a
 *     guess spread over many addresses (each address's own subjects let about 17 failures through in the first
 *     hour and 4 an hour after that). It then holds that guess, however many addresses it uses, to about ten
 *     attempts in the next hour and four an hour after that, and it never applies to
 *     an address the account signed in from with its password in the last {@value #KNOWN_FOR_DAYS} days: at
 *     worst an attacker slows the owner down at an address they never used, never at their own.</li>
 * </ul>
 * A correct password clears the first subject and makes the address known to the account; the others count on
 * (a success of one account says nothing about the other guesses from the same address, or at the same account).
 *
 * <p>A sign-up counts every attempt per client address, whether it created an account or met an email that
 * already had one, so the throttle cannot tell the two apart: {@value #FREE_FAILURES} free.
 *
 * <p>IPv6 clients are counted per /64 network: an end site usually holds a whole /64 and can use any address in
 * it. The counters live in PostgreSQL, so every API instance sees the same ones, and a failure is one atomic
 * upsert, so parallel guesses are all counted.
 */
public final class LoginThrottle {

    static final int FREE_FAILURES = 5;
    static final int EMAIL_FREE_FAILURES = 100;
    static final int KNOWN_FOR_DAYS = 90;
    static final Duration MAX_LOCK = Duration.ofMinutes(15);
    static final Duration DECAY = Duration.ofHours(1);
    private static final Duration KNOWN_FOR = Duration.ofDays(KNOWN_FOR_DAYS);
    private static final int IPV6_NETWORK_BYTES = 8;
    private static final int MAX_SUBJECT_LENGTH = 400;
    /** The lock stops growing after 15 failures past the free ones; the cap only keeps the counter from overflowing. */
    private static final int MAX_COUNTED_FAILURES = 1_000_000;

    private final Statements statements;
    private final Clock clock;

    public LoginThrottle(ConnectionProvider connections, Clock clock) {
        this.statements = new Statements(connections, "sign-in throttle");
        this.clock = clock;
    }

    /** How long a sign-in for {@code email} from {@code client} must wait, or empty when it may try now. */
    public Optional<Duration> signInRetryAfter(String email, InetAddress client) {
        String address = addressKey(client);
        Map<String, Integer> freeFailures = new LinkedHashMap<>();
        freeFailures.put(emailFrom(email, address), FREE_FAILURES);
        freeFailures.put(addressSubject(address), FREE_FAILURES);
        // Asked whether or not the email is known to be an account's, so the answer takes as long either way.
        if (!isKnown(email, address)) {
            freeFailures.put(emailSubject(email), EMAIL_FREE_FAILURES);
        }
        return retryAfter(freeFailures);
    }

    public void recordSignInFailure(String email, InetAddress client) {
        String address = addressKey(client);
        recordFailures(emailFrom(email, address), addressSubject(address), emailSubject(email));
    }

    /** Clears the email's failures from this address, and remembers the address as the account's. */
    public void recordSignInSuccess(String email, InetAddress client) {
        String address = addressKey(client);
        Instant now = clock.instant();
        statements.update("DELETE FROM login_throttle WHERE subject = ?", requireSubject(emailFrom(email, address)));
        statements.update("""
                INSERT INTO login_known_address AS k (user_id, address, last_success_at)
                SELECT user_id, ?, ? FROM user_account WHERE email = ?
                ON CONFLICT (user_id, address) DO UPDATE
                   SET last_success_at = GREATEST(k.last_success_at, EXCLUDED.last_success_at)""",
                address, utc(now), email);
    }

    /** How long a sign-up from {@code client} must wait, or empty when it may try now. */
    public Optional<Duration> signUpRetryAfter(InetAddress client) {
        return retryAfter(Map.of(signUpSubject(addressKey(client)), FREE_FAILURES));
    }

    /** Counts a sign-up attempt, whatever its outcome. */
    public void recordSignUp(InetAddress client) {
        recordFailures(signUpSubject(addressKey(client)));
    }

    /**
     * Deletes counters an hour without failures has forgotten and addresses no longer known; both are ignored
     * anyway, this only keeps the tables small (and keeps no client address longer than needed).
     *
     * @return the number of rows deleted
     */
    public int forgetStale() {
        Instant now = clock.instant();
        return statements.update("DELETE FROM login_throttle WHERE last_failure_at <= ?", utc(now.minus(DECAY)))
                + statements.update("DELETE FROM login_known_address WHERE last_success_at <= ?",
                utc(now.minus(KNOWN_FOR)));
    }

    private record Counter(String subject, int failures, Instant lastFailure) {
    }

    private Optional<Duration> retryAfter(Map<String, Integer> freeFailures) {
        Instant now = clock.instant();
        String[] subjects = freeFailures.keySet().stream().map(LoginThrottle::requireSubject).toArray(String[]::new);
        List<Counter> counters = statements.query(row -> new Counter(row.getString("subject"), row.getInt("failures"),
                        row.getObject("last_failure_at", OffsetDateTime.class).toInstant()),
                "SELECT subject, failures, last_failure_at FROM login_throttle WHERE subject = ANY (?)",
                (Object) subjects);
        return counters.stream()
                .filter(counter -> now.isBefore(counter.lastFailure().plus(DECAY)))
                .map(counter -> counter.lastFailure()
                        .plus(lockAfter(counter.failures(), freeFailures.get(counter.subject()))))
                .filter(now::isBefore)
                .map(lockedUntil -> Duration.between(now, lockedUntil))
                .max(Duration::compareTo);
    }

    private void recordFailures(String... subjects) {
        Instant now = clock.instant();
        statements.update("""
                INSERT INTO login_throttle AS t (subject, failures, last_failure_at)
                SELECT subject, 1, ? FROM unnest(?::text[]) AS s (subject)
                ON CONFLICT (subject) DO UPDATE SET
                    failures = CASE WHEN t.last_failure_at <= ? THEN 1 ELSE LEAST(t.failures + 1, ?) END,
                    last_failure_at = GREATEST(t.last_failure_at, EXCLUDED.last_failure_at)""",
                utc(now), Arrays.stream(subjects).map(LoginThrottle::requireSubject).toArray(String[]::new),
                utc(now.minus(DECAY)), MAX_COUNTED_FAILURES);
    }

    private boolean isKnown(String email, String address) {
        return statements.query(row -> row.getBoolean(1), """
                SELECT EXISTS (SELECT 1 FROM login_known_address k JOIN user_account u ON u.user_id = k.user_id
                                WHERE u.email = ? AND k.address = ? AND k.last_success_at > ?)""",
                email, address, utc(clock.instant().minus(KNOWN_FOR))).getFirst();
    }

    /** The lock that follows the {@code failures}-th consecutive failure of a subject with {@code free} free ones. */
    static Duration lockAfter(int failures, int free) {
        if (failures <= free) {
            return Duration.ZERO;
        }
        int exponent = Math.min(failures - free, 20);
        Duration lock = Duration.ofSeconds(1L << exponent);
        return lock.compareTo(MAX_LOCK) > 0 ? MAX_LOCK : lock;
    }

    /** An IPv4 address as it is; an IPv6 address as its /64 network. */
    static String addressKey(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] network = Arrays.copyOf(Arrays.copyOf(address.getAddress(), IPV6_NETWORK_BYTES), 16);
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + IPV6_NETWORK_BYTES * 8;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are always an IPv6 address", e);
        }
    }

    private static String emailFrom(String email, String address) {
        return "email+ip:" + email + " " + address;
    }

    private static String addressSubject(String address) {
        return "ip:" + address;
    }

    private static String emailSubject(String email) {
        return "email:" + email;
    }

    private static String signUpSubject(String address) {
        return "signup:" + address;
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    private static String requireSubject(String subject) {
        if (subject.length() > MAX_SUBJECT_LENGTH) {
            throw new IllegalArgumentException("a throttle subject is at most " + MAX_SUBJECT_LENGTH + " characters");
        }
        return subject;
    }
}
