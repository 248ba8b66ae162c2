package io.dynrag.domain.customer;

/**
 * A personal field as it appears in events: encrypted under the customer's data key. Destroying
 * that key (deleting the customer) makes every copy in the event history unreadable.
 *
 * @param keyId      which data key encrypted it
 * @param ciphertext base64 of nonce, ciphertext and tag
 */
public record EncryptedText(String keyId, String ciphertext) {
}
