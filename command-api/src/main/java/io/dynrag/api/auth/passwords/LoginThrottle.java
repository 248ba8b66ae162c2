package io.dynrag.api.auth.passwords;

import io.dynrag.api.persistence.DatabaseException;
import io.dynrag.api.persistence.ThreadBoundTransactionManager;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Slows down password guessing per subject; callers use {@code "email:<lower-cased address>"} and
 * {@code "ip:<address>"}. The first {@value #FREE_FAILURES} consecutive failures cost nothing; each further
 * one locks the subject for 2^(n-5) seconds (2 s, 4 s, 8 s, ...), at most 15 minutes. An hour without a
 * failure forgets the count.
 *
 * <p>How a sign-in uses it: when {@link #retryAfter} answers for either subject, refuse (429 with
 * Retry-After) without checking the password and without recording anything; otherwise check the password,
 * then {@link #recordFailure} both subjects, or {@link #recordSuccess} the email subject only (a success of
 * one account says nothing about the other guesses from the same address).
 *
 * <p>The counters live in PostgreSQL, so every API instance sees the same ones, and a failure is one
 * atomic upsert, so parallel guesses are all counted.
 */
public final class LoginThrottle {

    static final int FREE_FAILURES = 5;
    static final Duration MAX_LOCK = Duration.ofMinutes(15);
    static final Duration DECAY = Duration.ofHours(1);
    private static final int MAX_SUBJECT_LENGTH = 400;
    /** The lock stops growing after 15 failures; the cap only keeps a patient attacker from overflowing the counter. */
    private static final int MAX_COUNTED_FAILURES = 1_000_000;

    private final ThreadBoundTransactionManager transactions;
    private final Clock clock;

    public LoginThrottle(ThreadBoundTransactionManager transactions, Clock clock) {
        this.transactions = transactions;
        this.clock = clock;
    }

    /** How long the subject must wait before its next attempt, or empty when it may try now. */
    public Optional<Duration> retryAfter(String subject) {
        requireSubject(subject);
        Instant now = clock.instant();
        try (Connection connection = transactions.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT failures, last_failure_at FROM login_throttle WHERE subject = ?")) {
            query.setString(1, subject);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                int failures = row.getInt("failures");
                Instant lastFailure = row.getObject("last_failure_at", OffsetDateTime.class).toInstant();
                if (!now.isBefore(lastFailure.plus(DECAY))) {
                    return Optional.empty();
                }
                Instant lockedUntil = lastFailure.plus(lockAfter(failures));
                return now.isBefore(lockedUntil) ? Optional.of(Duration.between(now, lockedUntil)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new DatabaseException("cannot read the sign-in throttle", e);
        }
    }

    public void recordFailure(String subject) {
        requireSubject(subject);
        Instant now = clock.instant();
        try (Connection connection = transactions.getConnection();
             PreparedStatement upsert = connection.prepareStatement("""
                     INSERT INTO login_throttle AS t (subject, failures, last_failure_at) VALUES (?, 1, ?)
                     ON CONFLICT (subject) DO UPDATE SET
                         failures = CASE WHEN t.last_failure_at <= ? THEN 1 ELSE LEAST(t.failures + 1, ?) END,
                         last_failure_at = GREATEST(t.last_failure_at, EXCLUDED.last_failure_at)""")) {
            upsert.setString(1, subject);
            upsert.setObject(2, utc(now));
            upsert.setObject(3, utc(now.minus(DECAY)));
            upsert.setInt(4, MAX_COUNTED_FAILURES);
            upsert.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("cannot record a failed sign-in", e);
        }
    }

    public void recordSuccess(String subject) {
        requireSubject(subject);
        try (Connection connection = transactions.getConnection();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM login_throttle WHERE subject = ?")) {
            delete.setString(1, subject);
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("cannot reset the sign-in throttle", e);
        }
    }

    /** The lock that follows the {@code failures}-th consecutive failure. */
    static Duration lockAfter(int failures) {
        if (failures <= FREE_FAILURES) {
            return Duration.ZERO;
        }
        int exponent = Math.min(failures - FREE_FAILURES, 20);
        Duration lock = Duration.ofSeconds(1L << exponent);
        return lock.compareTo(MAX_LOCK) > 0 ? MAX_LOCK : lock;
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    private static void requireSubject(String subject) {
        if (subject == null || subject.isBlank() || subject.length() > MAX_SUBJECT_LENGTH) {
            throw new IllegalArgumentException("a throttle subject of 1 to " + MAX_SUBJECT_LENGTH + " characters is required");
        }
    }
}
