package io.dynrag.domain.customer;

/** @param fingerprint SHA-256 prefix of the new key, or null when the key was removed */
public record ProviderKeyChanged(String customerId, String provider, String fingerprint) {
}
