package io.dynrag.identity.ratelimit;

import io.dynrag.domain.customer.CustomerCeilings;
import io.dynrag.platform.persistence.DatabaseException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Requests per minute and per day of each customer and each API key, counted in PostgreSQL so that
 * every API instance enforces one limit. A check is one call of the {@code rate_limit_check}
 * function: one round trip and one transaction that locks the customer's counter (and the key's),
 * so concurrent requests are admitted one after the other and exactly the limit gets through.
 * A customer's limits are its configured values bounded by its ceilings; an API key's own limits
 * are bounded by its customer's.
 *
 * <p>Windows are fixed: the current UTC minute and UTC day. A client may therefore spend a
 * minute's limit at the end of one minute and again at the start of the next; the daily window
 * bounds the total.
 *
 * <p>Each check runs on a connection of its own in auto-commit mode, never in a caller's
 * transaction: the counters are locked only for the check itself, and an admitted request stays
 * counted whatever its handler does next.
 */
public final class RateLimits {

    private static final String CHECK = "SELECT * FROM rate_limit_check(?, ?, ?, ?, ?, ?)";

    private final DataSource dataSource;
    private final Clock clock;
    private final CustomerCeilings defaultCeilings;

    /**
     * @param defaultCeilings bound the customers whose ceilings an operator has not set: a customer's
     *                        limit is its configured value or its ceiling, whichever is lower
     */
    public RateLimits(DataSource dataSource, Clock clock, CustomerCeilings defaultCeilings) {
        if (!defaultCeilings.complete()) {
            throw new IllegalArgumentException("every default ceiling must be set: " + defaultCeilings);
        }
        this.dataSource = dataSource;
        this.clock = clock;
        this.defaultCeilings = defaultCeilings;
    }

    /**
     * Counts one request of the customer (and of its key, when {@code keyId} is not null) in every
     * window, or in none when any window is used up.
     *
     * @return empty when the customer is no longer active or the key was revoked meanwhile
     */
    public Optional<RateLimitState> take(String customerId, String keyId) {
        return check(customerId, keyId, true);
    }

    /** The windows as they stand, counting nothing. */
    public Optional<RateLimitState> peek(String customerId, String keyId) {
        return check(customerId, keyId, false);
    }

    /**
     * Deletes the counters of subjects without a request today (revoked keys, deleted or quiet
     * customers): such a row says no more than a missing one. Rows in use are skipped, never waited for.
     *
     * @return the rows deleted
     */
    public int forgetIdle() {
        Instant today = clock.instant().truncatedTo(ChronoUnit.DAYS);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("""
                     DELETE FROM rate_limit_counter WHERE subject IN (
                         SELECT subject FROM rate_limit_counter WHERE day_start < ? FOR UPDATE SKIP LOCKED)""")) {
            delete.setObject(1, OffsetDateTime.ofInstant(today, ZoneOffset.UTC));
            return delete.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("cannot sweep idle rate-limit counters", e);
        }
    }

    private Optional<RateLimitState> check(String customerId, String keyId, boolean take) {
        Instant now = clock.instant();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement call = connection.prepareStatement(CHECK)) {
            call.setString(1, customerId);
            call.setObject(2, keyId == null ? null : UUID.fromString(keyId));
            call.setObject(3, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            call.setBoolean(4, take);
            call.setInt(5, defaultCeilings.requestsPerMinute());
            call.setInt(6, defaultCeilings.requestsPerDay());
            List<RateLimitState.Usage> subjects = new ArrayList<>(2);
            boolean admitted = false;
            try (ResultSet rows = call.executeQuery()) {
                while (rows.next()) {
                    String holder = subjects.isEmpty() ? "the customer" : "this API key";
                    subjects.add(new RateLimitState.Usage(
                            subjects.isEmpty() ? customerId : keyId,
                            window(rows, holder, RateLimitState.Span.MINUTE, "per_minute", "minute_used",
                                    "minute_reset"),
                            window(rows, holder, RateLimitState.Span.DAY, "per_day", "day_used", "day_reset")));
                    admitted = rows.getBoolean("admitted");
                }
            }
            if (subjects.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new RateLimitState(take && !admitted, now, subjects.getFirst(),
                    subjects.size() > 1 ? subjects.get(1) : null));
        } catch (SQLException e) {
            throw new DatabaseException("cannot check the rate limits", e);
        }
    }

    private static RateLimitState.Window window(ResultSet row, String holder, RateLimitState.Span span,
                                                String limit, String used, String reset) throws SQLException {
        return new RateLimitState.Window(holder, span, row.getInt(limit), row.getInt(used),
                row.getObject(reset, OffsetDateTime.class).toInstant());
    }
}
