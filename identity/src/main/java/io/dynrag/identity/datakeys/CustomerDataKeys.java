package io.dynrag.identity.datakeys;

import io.dynrag.platform.crypto.AesGcm;
import io.dynrag.platform.crypto.DecryptionFailedException;
import io.dynrag.platform.crypto.KeyEncryption;
import io.dynrag.platform.crypto.KeyEncryptionKeys;
import io.dynrag.platform.persistence.DatabaseException;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;

import javax.crypto.AEADBadTagException;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * One AES-256 data key per customer, stored wrapped by the key-encryption key in {@code customer_data_key}.
 * Personal values in events are encrypted under it; destroying it (crypto-shredding) makes those values
 * unreadable while the events themselves stay immutable.
 *
 * <p>Keys are read from the database on every use rather than cached, so a key destroyed through one API
 * instance is gone for all of them at once. Every method joins the caller's transaction when one is open.
 */
public final class CustomerDataKeys {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ThreadBoundTransactionManager transactions;
    private final KeyEncryption keyEncryption;

    public CustomerDataKeys(ThreadBoundTransactionManager transactions, KeyEncryption keyEncryption) {
        this.transactions = transactions;
        this.keyEncryption = keyEncryption;
    }

    /** Creates the customer's data key unless one exists or was destroyed; a destroyed key is never replaced. */
    public void create(String customerId) {
        requireCustomerId(customerId);
        byte[] material = new byte[KeyEncryptionKeys.KEY_BYTES];
        RANDOM.nextBytes(material);
        byte[] wrapped = keyEncryption.seal(material, wrappingContext(customerId));
        Arrays.fill(material, (byte) 0);
        try (Connection connection = transactions.getConnection();
             PreparedStatement insert = connection.prepareStatement("""
                     INSERT INTO customer_data_key (customer_id, key_id, wrapped_key) VALUES (?, ?, ?)
                     ON CONFLICT (customer_id) DO NOTHING""")) {
            insert.setString(1, customerId);
            insert.setObject(2, UUID.randomUUID());
            insert.setBytes(3, wrapped);
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("cannot store the customer's data key", e);
        }
    }

    /** Encrypts with AES-256-GCM under the customer's data key, the customer id as additional data. */
    public EncryptedValue encrypt(String customerId, String plaintext) {
        requireCustomerId(customerId);
        DataKey key = load(customerId).orElseThrow(() -> new IllegalStateException(
                "the data key of customer " + customerId + " was destroyed; nothing can be encrypted for it"));
        byte[] nonce = AesGcm.newNonce();
        byte[] ciphertext = AesGcm.encrypt(key.key(), nonce, aad(customerId), plaintext.getBytes(StandardCharsets.UTF_8));
        byte[] value = ByteBuffer.allocate(nonce.length + ciphertext.length).put(nonce).put(ciphertext).array();
        return new EncryptedValue(key.keyId(), Base64.getEncoder().encodeToString(value));
    }

    /**
     * The plaintext, or empty once the customer's data key has been destroyed. A value that does not
     * belong to this customer's key, or was altered, is a {@link DecryptionFailedException}.
     */
    public Optional<String> decrypt(String customerId, EncryptedValue value) {
        requireCustomerId(customerId);
        Optional<DataKey> loaded = load(customerId);
        if (loaded.isEmpty()) {
            return Optional.empty();
        }
        DataKey key = loaded.get();
        if (!key.keyId().equals(value.keyId())) {
            throw new DecryptionFailedException("the value was encrypted under data key " + value.keyId()
                    + ", not under the key of customer " + customerId);
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(value.ciphertext());
        } catch (IllegalArgumentException e) {
            throw new DecryptionFailedException("the encrypted value is not valid base64");
        }
        if (bytes.length < AesGcm.NONCE_BYTES + AesGcm.TAG_BYTES) {
            throw new DecryptionFailedException("the encrypted value is truncated");
        }
        byte[] nonce = Arrays.copyOfRange(bytes, 0, AesGcm.NONCE_BYTES);
        byte[] ciphertext = Arrays.copyOfRange(bytes, AesGcm.NONCE_BYTES, bytes.length);
        try {
            return Optional.of(new String(AesGcm.decrypt(key.key(), nonce, aad(customerId), ciphertext), StandardCharsets.UTF_8));
        } catch (AEADBadTagException e) {
            throw new DecryptionFailedException("the encrypted value was altered or belongs to another customer");
        }
    }

    /**
     * Deletes the key material and keeps a tombstone with the time of destruction. Idempotent; a customer
     * that never had a key gets a tombstone too, so no key can be created for it later.
     *
     * <p>PostgreSQL keeps the old row version until VACUUM reclaims it, and backups keep it until they
     * expire; the wrapped key in those copies still needs the key-encryption key to be of any use.
     */
    public void destroy(String customerId) {
        requireCustomerId(customerId);
        try (Connection connection = transactions.getConnection();
             PreparedStatement destroy = connection.prepareStatement("""
                     INSERT INTO customer_data_key AS k (customer_id, key_id, wrapped_key, destroyed_at)
                     VALUES (?, NULL, NULL, now())
                     ON CONFLICT (customer_id) DO UPDATE
                     SET wrapped_key = NULL, destroyed_at = COALESCE(k.destroyed_at, now())""")) {
            destroy.setString(1, customerId);
            destroy.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("cannot destroy the customer's data key", e);
        }
    }

    public boolean isDestroyed(String customerId) {
        requireCustomerId(customerId);
        try (Connection connection = transactions.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT destroyed_at IS NOT NULL FROM customer_data_key WHERE customer_id = ?")) {
            query.setString(1, customerId);
            try (ResultSet row = query.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new DatabaseException("cannot read the customer's data key", e);
        }
    }

    private record DataKey(String keyId, SecretKey key) {
    }

    /** Empty when the key was destroyed; a customer that never had a key is a programming error. */
    private Optional<DataKey> load(String customerId) {
        byte[] wrapped;
        String keyId;
        try (Connection connection = transactions.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT key_id, wrapped_key FROM customer_data_key WHERE customer_id = ?")) {
            query.setString(1, customerId);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    throw new IllegalStateException("customer " + customerId + " has no data key");
                }
                wrapped = row.getBytes("wrapped_key");
                keyId = row.getString("key_id");
            }
        } catch (SQLException e) {
            throw new DatabaseException("cannot read the customer's data key", e);
        }
        if (wrapped == null) {
            return Optional.empty();
        }
        byte[] material = keyEncryption.open(wrapped, wrappingContext(customerId));
        SecretKey key = new SecretKeySpec(material, "AES");
        Arrays.fill(material, (byte) 0);
        return Optional.of(new DataKey(keyId, key));
    }

    private static String wrappingContext(String customerId) {
        return "customer-data-key:" + customerId;
    }

    private static byte[] aad(String customerId) {
        return customerId.getBytes(StandardCharsets.UTF_8);
    }

    private static void requireCustomerId(String customerId) {
        if (customerId == null || customerId.isBlank()) {
            throw new IllegalArgumentException("a customer id is required");
        }
    }
}
