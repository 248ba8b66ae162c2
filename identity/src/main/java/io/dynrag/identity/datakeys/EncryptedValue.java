package io.dynrag.identity.datakeys;

import java.util.Objects;

/**
 * A personal value encrypted under a customer's data key, as it appears in events: {@code keyId} names the
 * data key, {@code ciphertext} is base64 of nonce, ciphertext and tag. Once the customer's key is destroyed
 * the value can no longer be read, although the event that holds it stays.
 */
public record EncryptedValue(String keyId, String ciphertext) {

    public EncryptedValue {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(ciphertext, "ciphertext");
    }
}
