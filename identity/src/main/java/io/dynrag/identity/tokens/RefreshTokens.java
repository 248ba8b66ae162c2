package io.dynrag.identity.tokens;

import io.dynrag.platform.crypto.Secrets;
import io.dynrag.platform.persistence.DatabaseException;
import io.dynrag.platform.persistence.InTransaction;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

/**
 * Opaque refresh tokens ({@code drr_} + 256 random bits), stored as SHA-256 only and rotated on every use.
 *
 * <p>Each sign-in starts a family; each rotation marks the presented token used and adds its successor to
 * the family. Presenting a used token again revokes the whole family (RFC 9700 reuse detection), which also
 * settles races: of two concurrent rotations of one token exactly one wins, because marking a token used
 * is a single {@code UPDATE ... WHERE used_at IS NULL}, and the loser counts as reuse. Every token expires
 * {@link TokenSettings#refreshTokenLifetime()} after it was issued, so a session ends after that long
 * without use.
 *
 * <p>Call {@link #rotate} outside an open transaction: on reuse it commits the family's revocation before
 * it throws, which a joined transaction rolled back by the exception would undo.
 */
public final class RefreshTokens {

    static final String PREFIX = "drr_";

    /** A refresh token in clear, shown to the client once; {@code familyId} names the sign-in it belongs to. */
    public record IssuedRefreshToken(String token, String familyId, Instant expiresAt) {

        /** Leaves the token out, so logging the result never leaks a credential. */
        @Override
        public String toString() {
            return "IssuedRefreshToken[familyId=" + familyId + ", expiresAt=" + expiresAt + "]";
        }
    }

    /** A successful refresh: whose token it was, and the token (same family) that replaces it. */
    public record Rotation(String userId, String token, String familyId, Instant expiresAt) {

        /** Leaves the token out, so logging the result never leaks a credential. */
        @Override
        public String toString() {
            return "Rotation[userId=" + userId + ", familyId=" + familyId + ", expiresAt=" + expiresAt + "]";
        }
    }

    private final ThreadBoundTransactionManager transactions;
    private final Clock clock;
    private final TokenSettings settings;

    public RefreshTokens(ThreadBoundTransactionManager transactions, Clock clock, TokenSettings settings) {
        this.transactions = transactions;
        this.clock = clock;
        this.settings = settings;
    }

    /** Starts a new family (a sign-in) for the user with its first token. */
    public IssuedRefreshToken issue(String userId) {
        UUID user = parseUserId(userId);
        Instant now = now();
        UUID familyId = UUID.randomUUID();
        return InTransaction.run(transactions, "cannot store the refresh token", connection -> {
            try (PreparedStatement family = connection.prepareStatement(
                    "INSERT INTO refresh_family (family_id, user_id, created_at) VALUES (?, ?, ?)")) {
                family.setObject(1, familyId);
                family.setObject(2, user);
                family.setObject(3, utc(now));
                family.executeUpdate();
            }
            return insertToken(connection, familyId, now);
        });
    }

    /**
     * Exchanges a valid token for its successor in the same family.
     *
     * @throws RefreshTokenReusedException  when the token was already used; its family is now revoked
     * @throws InvalidRefreshTokenException when the token is unknown, expired or revoked
     */
    public Rotation rotate(String presented) {
        String hash = hashOf(presented)
                .orElseThrow(() -> new InvalidRefreshTokenException("not a refresh token"));
        Instant now = now();
        Outcome outcome = InTransaction.run(transactions, "cannot rotate the refresh token", connection -> {
            try (PreparedStatement use = connection.prepareStatement("""
                    UPDATE refresh_token t SET used_at = ?
                    FROM refresh_family f
                    WHERE t.token_hash = ? AND t.used_at IS NULL AND t.expires_at > ?
                      AND f.family_id = t.family_id AND f.revoked_at IS NULL
                    RETURNING t.family_id, f.user_id""")) {
                use.setObject(1, utc(now));
                use.setString(2, hash);
                use.setObject(3, utc(now));
                try (ResultSet row = use.executeQuery()) {
                    if (row.next()) {
                        UUID familyId = row.getObject("family_id", UUID.class);
                        String userId = row.getString("user_id");
                        IssuedRefreshToken next = insertToken(connection, familyId, now);
                        return new Rotated(new Rotation(userId, next.token(), next.familyId(), next.expiresAt()));
                    }
                }
            }
            return new Refused(refusal(connection, hash, now));
        });
        return switch (outcome) {
            case Rotated rotated -> rotated.rotation();
            case Refused refused -> throw refused.exception();
        };
    }

    /**
     * The user whose token this is, when {@link #rotate} would accept it now; changes nothing, so a caller
     * can refuse the refresh (a suspended customer, say) without using the token up.
     */
    public Optional<String> userOf(String presented) {
        Optional<String> hash = hashOf(presented);
        if (hash.isEmpty()) {
            return Optional.empty();
        }
        try (Connection connection = transactions.getConnection();
             PreparedStatement query = connection.prepareStatement("""
                     SELECT f.user_id FROM refresh_token t JOIN refresh_family f ON f.family_id = t.family_id
                     WHERE t.token_hash = ? AND t.used_at IS NULL AND t.expires_at > ? AND f.revoked_at IS NULL""")) {
            query.setString(1, hash.get());
            query.setObject(2, utc(now()));
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(row.getString("user_id")) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new DatabaseException("cannot read the refresh token", e);
        }
    }

    /** A refusal is returned, not thrown, from the transaction so that a reuse revocation commits. */
    private sealed interface Outcome {
    }

    private record Rotated(Rotation rotation) implements Outcome {
    }

    private record Refused(InvalidRefreshTokenException exception) implements Outcome {
    }

    /** Logout: revokes the family of the presented token. Unknown tokens are ignored. */
    public void revoke(String presented) {
        Optional<String> hash = hashOf(presented);
        if (hash.isEmpty()) {
            return;
        }
        try (Connection connection = transactions.getConnection();
             PreparedStatement revoke = connection.prepareStatement("""
                     UPDATE refresh_family SET revoked_at = ?, revoked_reason = 'LOGOUT'
                     WHERE revoked_at IS NULL
                       AND family_id = (SELECT family_id FROM refresh_token WHERE token_hash = ?)""")) {
            revoke.setObject(1, utc(now()));
            revoke.setString(2, hash.get());
            revoke.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("cannot revoke the refresh token", e);
        }
    }

    /** Ends every session of the user, e.g. after a password change or when the account is disabled. */
    public void revokeAllFor(String userId) {
        UUID user = parseUserId(userId);
        try (Connection connection = transactions.getConnection();
             PreparedStatement revoke = connection.prepareStatement(
                     "UPDATE refresh_family SET revoked_at = ?, revoked_reason = 'REVOKED' WHERE user_id = ? AND revoked_at IS NULL")) {
            revoke.setObject(1, utc(now()));
            revoke.setObject(2, user);
            revoke.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("cannot revoke the user's refresh tokens", e);
        }
    }

    /**
     * Why the token could not be used, as the exception to throw once the transaction has committed. A used
     * token is reuse whether or not its family is revoked already (every replay deserves a log entry); the
     * first one revokes the family.
     */
    private static InvalidRefreshTokenException refusal(Connection connection, String hash, Instant now) throws SQLException {
        UUID familyId;
        String userId;
        try (PreparedStatement query = connection.prepareStatement("""
                SELECT t.family_id, f.user_id, t.used_at, t.expires_at, f.revoked_at
                FROM refresh_token t JOIN refresh_family f ON f.family_id = t.family_id
                WHERE t.token_hash = ?""")) {
            query.setString(1, hash);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    return new InvalidRefreshTokenException("unknown refresh token");
                }
                boolean used = row.getObject("used_at") != null;
                if (!used && row.getObject("revoked_at") != null) {
                    return new InvalidRefreshTokenException("the token's family is revoked");
                }
                if (!used) {
                    return new InvalidRefreshTokenException("the refresh token expired at "
                            + row.getObject("expires_at", OffsetDateTime.class).toInstant());
                }
                familyId = row.getObject("family_id", UUID.class);
                userId = row.getString("user_id");
            }
        }
        try (PreparedStatement revoke = connection.prepareStatement(
                "UPDATE refresh_family SET revoked_at = ?, revoked_reason = 'REUSE' WHERE family_id = ? AND revoked_at IS NULL")) {
            revoke.setObject(1, utc(now));
            revoke.setObject(2, familyId);
            revoke.executeUpdate();
        }
        return new RefreshTokenReusedException(userId, familyId.toString());
    }

    private IssuedRefreshToken insertToken(Connection connection, UUID familyId, Instant now) throws SQLException {
        String token = Secrets.newSecret(PREFIX);
        Instant expiresAt = now.plus(settings.refreshTokenLifetime());
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO refresh_token (token_hash, family_id, issued_at, expires_at) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, Secrets.sha256Hex(token));
            insert.setObject(2, familyId);
            insert.setObject(3, utc(now));
            insert.setObject(4, utc(expiresAt));
            insert.executeUpdate();
        }
        return new IssuedRefreshToken(token, familyId.toString(), expiresAt);
    }

    /** Empty for anything that cannot be one of ours, so garbage costs no database round trip. */
    private static Optional<String> hashOf(String presented) {
        if (presented == null || !presented.startsWith(PREFIX) || presented.length() > 100) {
            return Optional.empty();
        }
        return Optional.of(Secrets.sha256Hex(presented));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static UUID parseUserId(String userId) {
        try {
            return UUID.fromString(userId);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("a user id (UUID) is required");
        }
    }
}
