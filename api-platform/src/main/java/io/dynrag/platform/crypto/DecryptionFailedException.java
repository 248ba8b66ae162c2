package io.dynrag.platform.crypto;

/**
 * Sealed data could not be opened: a wrong or missing key, a different context, or tampering. The message
 * is safe to log; it never contains key material or plaintext.
 */
public class DecryptionFailedException extends RuntimeException {

    public DecryptionFailedException(String message) {
        super(message);
    }

    public DecryptionFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
