package io.dynrag.api.auth;

import io.dynrag.api.persistence.DatabaseException;
import io.dynrag.api.persistence.ThreadBoundTransactionManager;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

/** Customer API keys: issued once in clear, stored only as a hash. */
public final class ApiKeys {

    static final String PREFIX = "drk_";

    private final ThreadBoundTransactionManager transactions;

    public ApiKeys(ThreadBoundTransactionManager transactions) {
        this.transactions = transactions;
    }

    public record IssuedKey(String keyId, String secret) {
    }

    /** Stores a new key for the customer; joins the caller's transaction if there is one. */
    public IssuedKey issue(String customerId) {
        String secret = Secrets.newSecret(PREFIX);
        UUID keyId = UUID.randomUUID();
        try (Connection connection = transactions.getConnection();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO api_key (key_id, customer_id, key_hash, prefix) VALUES (?, ?, ?, ?)")) {
            insert.setObject(1, keyId);
            insert.setString(2, customerId);
            insert.setString(3, Secrets.sha256Hex(secret));
            insert.setString(4, secret.substring(0, PREFIX.length() + 6));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("cannot store the API key", e);
        }
        return new IssuedKey(keyId.toString(), secret);
    }

    public Optional<Principal.CustomerKey> resolve(String secret) {
        if (!secret.startsWith(PREFIX)) {
            return Optional.empty();
        }
        try (Connection connection = transactions.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT key_id, customer_id FROM api_key WHERE key_hash = ? AND revoked_at IS NULL")) {
            query.setString(1, Secrets.sha256Hex(secret));
            try (ResultSet rows = query.executeQuery()) {
                return rows.next()
                        ? Optional.of(new Principal.CustomerKey(rows.getString("customer_id"), rows.getString("key_id")))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new DatabaseException("cannot look up the API key", e);
        }
    }
}
