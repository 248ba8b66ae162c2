package io.dynrag.pipeline.embedding;

import java.net.URI;
import java.util.Optional;

/** A customer's own key for an embedding provider, opened only for the moment it is used. */
@FunctionalInterface
public interface ProviderCredentials {

    Optional<ProviderKey> find(String customerId, String provider);

    /**
     * @param baseUrl null for the provider's public endpoint
     */
    record ProviderKey(String apiKey, URI baseUrl) {

        /** Never shows the key. */
        @Override
        public String toString() {
            return "ProviderKey[baseUrl=" + baseUrl + "]";
        }
    }

    ProviderCredentials NONE = (customerId, provider) -> Optional.empty();
}
