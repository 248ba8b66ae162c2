package io.dynrag.identity.credentials;

import java.util.Set;

/**
 * Who is calling. A customer principal acts only inside its own tenant; an admin has no tenant
 * and may only use admin endpoints.
 */
public sealed interface Principal {

    /**
     * How the audit trail names this caller: {@code user:<userId>}, {@code apiKey:<keyId>},
     * {@code admin:<userId>}, or {@code operator} for the configured operator token.
     */
    default String actor() {
        return switch (this) {
            case CustomerUser user -> "user:" + user.userId();
            case CustomerKey key -> "apiKey:" + key.keyId();
            case Admin admin when admin.subject().equals(Authenticator.OPERATOR_SUBJECT) -> "operator";
            case Admin admin -> "admin:" + admin.subject();
        };
    }

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
