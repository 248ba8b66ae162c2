package io.dynrag.platform.crypto;

import javax.crypto.AEADBadTagException;
import javax.crypto.SecretKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Seals small secrets (data keys, private signing keys, provider keys) with the current key-encryption key,
 * AES-256-GCM.
 *
 * <p>A sealed blob describes itself: {@code version (1 byte) | id length (1 byte) | KEK id (ASCII) | nonce
 * (12 bytes) | ciphertext and 16-byte tag}. The header and the caller's {@code context} (say
 * {@code "provider-key:<customerId>"}) are the additional authenticated data, so a blob copied to another
 * row, or with an edited header, does not open.
 */
public final class KeyEncryption {

    private static final byte VERSION = 1;

    private final KeyEncryptionKeys keys;

    public KeyEncryption(KeyEncryptionKeys keys) {
        this.keys = keys;
    }

    public String currentKeyId() {
        return keys.currentId();
    }

    public byte[] seal(byte[] plaintext, String context) {
        requireContext(context);
        byte[] header = header(keys.currentId());
        byte[] nonce = AesGcm.newNonce();
        byte[] ciphertext = AesGcm.encrypt(keys.current(), nonce, aad(header, context), plaintext);
        return ByteBuffer.allocate(header.length + nonce.length + ciphertext.length)
                .put(header).put(nonce).put(ciphertext)
                .array();
    }

    public byte[] open(byte[] sealed, String context) {
        requireContext(context);
        String keyId = keyIdOf(sealed);
        SecretKey key = keys.byId(keyId).orElseThrow(() -> new DecryptionFailedException(
                "sealed with key-encryption key '" + keyId + "', which is not configured"));
        int headerLength = 2 + keyId.length();
        if (sealed.length < headerLength + AesGcm.NONCE_BYTES + AesGcm.TAG_BYTES) {
            throw new DecryptionFailedException("sealed data is truncated");
        }
        byte[] header = Arrays.copyOfRange(sealed, 0, headerLength);
        byte[] nonce = Arrays.copyOfRange(sealed, headerLength, headerLength + AesGcm.NONCE_BYTES);
        byte[] ciphertext = Arrays.copyOfRange(sealed, headerLength + AesGcm.NONCE_BYTES, sealed.length);
        try {
            return AesGcm.decrypt(key, nonce, aad(header, context), ciphertext);
        } catch (AEADBadTagException e) {
            throw new DecryptionFailedException("sealed data does not open under key-encryption key '" + keyId
                    + "': it was altered or belongs to another context");
        }
    }

    /** The id of the key-encryption key that sealed {@code sealed}, e.g. to find blobs still under a retiring key. */
    public String keyIdOf(byte[] sealed) {
        if (sealed == null || sealed.length < 2) {
            throw new DecryptionFailedException("sealed data is truncated");
        }
        if (sealed[0] != VERSION) {
            throw new DecryptionFailedException("sealed data has an unknown format version " + (sealed[0] & 0xff));
        }
        int idLength = sealed[1] & 0xff;
        if (idLength == 0 || sealed.length < 2 + idLength) {
            throw new DecryptionFailedException("sealed data is truncated");
        }
        return new String(sealed, 2, idLength, StandardCharsets.US_ASCII);
    }

    private static byte[] header(String keyId) {
        byte[] id = keyId.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(2 + id.length).put(VERSION).put((byte) id.length).put(id).array();
    }

    private static byte[] aad(byte[] header, String context) {
        byte[] contextBytes = context.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(header.length + contextBytes.length).put(header).put(contextBytes).array();
    }

    private static void requireContext(String context) {
        if (context == null || context.isEmpty()) {
            throw new IllegalArgumentException("a context is required to bind sealed data to its place");
        }
    }
}
