package io.dynrag.platform.crypto;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * AES-GCM with a random 96-bit nonce and a 128-bit tag: the one cipher of the key-encryption keys here and of
 * the customers' data keys (identity's {@code CustomerDataKeys}).
 */
public final class AesGcm {

    public static final int NONCE_BYTES = 12;
    public static final int TAG_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private AesGcm() {
    }

    /**
     * A fresh nonce for every encryption: with random 96-bit nonces one key stays safe for far more than
     * the 2^32 encryptions NIST SP 800-38D allows, which no key here comes near.
     */
    public static byte[] newNonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    public static byte[] encrypt(SecretKey key, byte[] nonce, byte[] aad, byte[] plaintext) {
        try {
            return cipher(Cipher.ENCRYPT_MODE, key, nonce, aad).doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption is unavailable", e);
        }
    }

    /** Throws {@link AEADBadTagException} when the key, the nonce, the data or the AAD differ from encryption. */
    public static byte[] decrypt(SecretKey key, byte[] nonce, byte[] aad, byte[] ciphertext) throws AEADBadTagException {
        try {
            return cipher(Cipher.DECRYPT_MODE, key, nonce, aad).doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption is unavailable", e);
        }
    }

    private static Cipher cipher(int mode, SecretKey key, byte[] nonce, byte[] aad) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
        cipher.updateAAD(aad);
        return cipher;
    }
}
