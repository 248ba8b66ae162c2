package io.dynrag.identity.credentials;

import io.dynrag.platform.crypto.Secrets;
import io.dynrag.platform.persistence.DatabaseException;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Customer API keys: shown once in clear, stored only as a hash, scoped and revocable. */
public final class ApiKeys {

    static final String PREFIX = "drk_";
    /** Recording every use would write on every request; a minute's precision is enough. */
    private static final Duration LAST_USED_PRECISION = Duration.ofMinutes(1);

    private final ThreadBoundTransactionManager transactions;
    private final Clock clock;

    public ApiKeys(ThreadBoundTransactionManager transactions, Clock clock) {
        this.transactions = transactions;
        this.clock = clock;
    }

    public record IssuedKey(String keyId, String secret, String prefix, Set<Scope> scopes) {
    }

    /**
     * A key's own rate limits, counted in addition to its customer's; a null field takes the customer's
     * number. They let one machine's key be held below what the customer as a whole may do.
     */
    public record RequestLimits(Integer requestsPerMinute, Integer requestsPerDay) {

        public static final RequestLimits CUSTOMERS = new RequestLimits(null, null);
    }

    public record ApiKeyInfo(String keyId, String name, String prefix, Set<Scope> scopes, Instant createdAt,
                             Instant lastUsedAt, RequestLimits limits) {
    }

    /** Stores a new key for the customer with the customer's rate limits; joins the caller's transaction. */
    public IssuedKey issue(String customerId, String name, Set<Scope> scopes) {
        return issue(customerId, name, scopes, RequestLimits.CUSTOMERS);
    }

    /** Stores a new key for the customer; joins the caller's transaction if there is one. */
    public IssuedKey issue(String customerId, String name, Set<Scope> scopes, RequestLimits limits) {
        return issue(customerId, UUID.randomUUID().toString(), name, scopes, limits).orElseThrow();
    }

    /**
     * Stores a key under the given id; joins the caller's transaction if there is one. When the customer
     * already holds an unrevoked key of this id (an earlier attempt of the same request created it and died
     * before its answer, the only place its secret was ever shown, was kept), that key gets a new secret and
     * keeps its name, scopes and limits.
     *
     * @return empty when the id names a revoked key, or another customer's
     */
    public Optional<IssuedKey> issue(String customerId, String keyId, String name, Set<Scope> scopes,
                                     RequestLimits limits) {
        String secret = Secrets.newSecret(PREFIX);
        String prefix = secret.substring(0, PREFIX.length() + 6);
        try (Connection connection = transactions.getConnection();
             PreparedStatement insert = connection.prepareStatement("""
                     INSERT INTO api_key (key_id, customer_id, key_hash, prefix, name, scopes, created_at,
                                          requests_per_minute, requests_per_day)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                     ON CONFLICT (key_id) DO UPDATE SET key_hash = EXCLUDED.key_hash, prefix = EXCLUDED.prefix
                      WHERE api_key.customer_id = EXCLUDED.customer_id AND api_key.revoked_at IS NULL
                     RETURNING scopes""")) {
            insert.setObject(1, UUID.fromString(keyId));
            insert.setString(2, customerId);
            insert.setString(3, Secrets.sha256Hex(secret));
            insert.setString(4, prefix);
            insert.setString(5, name);
            insert.setArray(6, connection.createArrayOf("text", scopes.stream().map(Scope::wireName).toArray()));
            insert.setTimestamp(7, Timestamp.from(clock.instant()));
            insert.setObject(8, limits.requestsPerMinute(), Types.INTEGER);
            insert.setObject(9, limits.requestsPerDay(), Types.INTEGER);
            try (ResultSet stored = insert.executeQuery()) {
                return stored.next()
                        ? Optional.of(new IssuedKey(keyId, secret, prefix, scopes(stored.getArray("scopes"))))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new DatabaseException("cannot store the API key", e);
        }
    }

    public Optional<Principal.CustomerKey> resolve(String secret) {
        if (!secret.startsWith(PREFIX)) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        try (Connection connection = transactions.getConnection();
             PreparedStatement query = connection.prepareStatement("""
                     SELECT key_id, customer_id, scopes, last_used_at FROM api_key
                     WHERE key_hash = ? AND revoked_at IS NULL""")) {
            query.setString(1, Secrets.sha256Hex(secret));
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                String keyId = rows.getString("key_id");
                Timestamp lastUsed = rows.getTimestamp("last_used_at");
                // Written at most once a minute: a write on every request would make each one a
                // commit, and every request of a busy key queue for that key's row.
                if (lastUsed == null || lastUsed.toInstant().isBefore(now.minus(LAST_USED_PRECISION))) {
                    markUsed(connection, keyId, now);
                }
                return Optional.of(new Principal.CustomerKey(rows.getString("customer_id"), keyId,
                        scopes(rows.getArray("scopes"))));
            }
        } catch (SQLException e) {
            throw new DatabaseException("cannot look up the API key", e);
        }
    }

    private static void markUsed(Connection connection, String keyId, Instant now) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE api_key SET last_used_at = ? WHERE key_id = ? AND (last_used_at IS NULL OR last_used_at < ?)""")) {
            update.setTimestamp(1, Timestamp.from(now));
            update.setObject(2, UUID.fromString(keyId));
            update.setTimestamp(3, Timestamp.from(now));
            update.executeUpdate();
        }
    }

    public List<ApiKeyInfo> list(String customerId) {
        try (Connection connection = transactions.getConnection();
             PreparedStatement query = connection.prepareStatement("""
                     SELECT key_id, name, prefix, scopes, created_at, last_used_at, requests_per_minute,
                            requests_per_day FROM api_key
                     WHERE customer_id = ? AND revoked_at IS NULL ORDER BY created_at, key_id""")) {
            query.setString(1, customerId);
            List<ApiKeyInfo> keys = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    Timestamp lastUsed = rows.getTimestamp("last_used_at");
                    keys.add(new ApiKeyInfo(rows.getString("key_id"), rows.getString("name"), rows.getString("prefix"),
                            scopes(rows.getArray("scopes")), rows.getTimestamp("created_at").toInstant(),
                            lastUsed == null ? null : lastUsed.toInstant(),
                            new RequestLimits(rows.getObject("requests_per_minute", Integer.class),
                                    rows.getObject("requests_per_day", Integer.class))));
                }
            }
            return keys;
        } catch (SQLException e) {
            throw new DatabaseException("cannot list API keys", e);
        }
    }

    /** @return false when the customer has no such (unrevoked) key, including another tenant's key */
    public boolean revoke(String customerId, String keyId) {
        UUID id;
        try {
            id = UUID.fromString(keyId);
        } catch (IllegalArgumentException e) {
            return false;
        }
        try (Connection connection = transactions.getConnection();
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE api_key SET revoked_at = ? WHERE key_id = ? AND customer_id = ? AND revoked_at IS NULL")) {
            update.setTimestamp(1, Timestamp.from(clock.instant()));
            update.setObject(2, id);
            update.setString(3, customerId);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new DatabaseException("cannot revoke the API key", e);
        }
    }

    public int deleteAllOf(String customerId) {
        try (Connection connection = transactions.getConnection();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM api_key WHERE customer_id = ?")) {
            delete.setString(1, customerId);
            return delete.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("cannot delete API keys", e);
        }
    }

    private static Set<Scope> scopes(Array array) throws SQLException {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (Object name : (Object[]) array.getArray()) {
            Scope.fromWireName((String) name).ifPresent(scopes::add);
        }
        return scopes;
    }
}
