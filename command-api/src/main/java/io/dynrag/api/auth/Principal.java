package io.dynrag.api.auth;

import java.util.Set;

/**
 * Who is calling. A customer principal acts only inside its own tenant; an admin has no tenant
 * and may only use admin endpoints.
 */
public sealed interface Principal {

    /** @param subject the admin's user id, or {@code operator-token} for the configured token */
    record Admin(String subject) implements Principal {
    }

    /** A person signed in with an access token. */
    record CustomerUser(String customerId, String userId) implements Principal {
    }

    /** A machine using an API key, limited to the key's scopes. */
    record CustomerKey(String customerId, String keyId, Set<Scope> scopes) implements Principal {

        public CustomerKey {
            scopes = Set.copyOf(scopes);
        }
    }
}
