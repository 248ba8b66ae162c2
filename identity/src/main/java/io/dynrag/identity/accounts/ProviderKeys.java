package io.dynrag.identity.accounts;

import io.dynrag.platform.crypto.KeyEncryption;
import io.dynrag.platform.crypto.Secrets;
import io.dynrag.platform.persistence.DatabaseException;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;

/**
 * Customers' own keys for embedding and rerank providers, sealed with the key-encryption key (AES-256-GCM,
 * bound to the customer and provider) and opened only in memory when the pipeline needs them.
 * Only a fingerprint ever leaves this class.
 */
public final class ProviderKeys {

    private final ThreadBoundTransactionManager transactions;
    private final KeyEncryption keyEncryption;
    private final Clock clock;

    public ProviderKeys(ThreadBoundTransactionManager transactions, KeyEncryption keyEncryption, Clock clock) {
        this.transactions = transactions;
        this.keyEncryption = keyEncryption;
        this.clock = clock;
    }

    /** A short, non-reversible identification of a key, safe to show and to put in events. */
    public static String fingerprint(String key) {
        return "sha256:" + Secrets.sha256Hex(key).substring(0, 16);
    }

    /** Stores (or replaces) the key; joins the caller's transaction. */
    public void store(String customerId, String provider, String key, String baseUrl) {
        byte[] sealed = keyEncryption.seal(key.getBytes(StandardCharsets.UTF_8), context(customerId, provider));
        try (Connection connection = transactions.getConnection();
             PreparedStatement upsert = connection.prepareStatement("""
                     INSERT INTO provider_key (customer_id, provider, sealed_key, kek_id, fingerprint, base_url, updated_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?)
                     ON CONFLICT (customer_id, provider) DO UPDATE SET sealed_key = EXCLUDED.sealed_key,
                         kek_id = EXCLUDED.kek_id, fingerprint = EXCLUDED.fingerprint, base_url = EXCLUDED.base_url,
                         updated_at = EXCLUDED.updated_at""")) {
            upsert.setString(1, customerId);
            upsert.setString(2, provider);
            upsert.setBytes(3, sealed);
            upsert.setString(4, keyEncryption.keyIdOf(sealed));
            upsert.setString(5, fingerprint(key));
            upsert.setString(6, baseUrl);
            upsert.setTimestamp(7, Timestamp.from(clock.instant()));
            upsert.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("cannot store the provider key", e);
        }
    }

    /** A key opened for the moment it is used; never log or return it. */
    public record OpenedKey(String key, String baseUrl) {

        @Override
        public String toString() {
            return "OpenedKey[baseUrl=" + baseUrl + "]";
        }
    }

    public Optional<OpenedKey> open(String customerId, String provider) {
        try (Connection connection = transactions.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT sealed_key, base_url FROM provider_key WHERE customer_id = ? AND provider = ?")) {
            query.setString(1, customerId);
            query.setString(2, provider);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                byte[] key = keyEncryption.open(row.getBytes(1), context(customerId, provider));
                return Optional.of(new OpenedKey(new String(key, StandardCharsets.UTF_8), row.getString(2)));
            }
        } catch (SQLException e) {
            throw new DatabaseException("cannot read the provider key", e);
        }
    }

    /** The fingerprint of the customer's key for {@code provider}, if one is stored; opens nothing. */
    public Optional<String> storedFingerprint(String customerId, String provider) {
        try (Connection connection = transactions.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT fingerprint FROM provider_key WHERE customer_id = ? AND provider = ?")) {
            query.setString(1, customerId);
            query.setString(2, provider);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new DatabaseException("cannot read the provider key", e);
        }
    }

    public void delete(String customerId, String provider) {
        execute("DELETE FROM provider_key WHERE customer_id = ? AND provider = ?", customerId, provider);
    }

    public void deleteAllOf(String customerId) {
        execute("DELETE FROM provider_key WHERE customer_id = ?", customerId);
    }

    private void execute(String sql, String... parameters) {
        try (Connection connection = transactions.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("cannot delete provider keys", e);
        }
    }

    private static String context(String customerId, String provider) {
        return "provider-key:" + customerId + ":" + provider;
    }
}
