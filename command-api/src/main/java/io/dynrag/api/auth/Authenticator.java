package io.dynrag.api.auth;

import java.util.Optional;

/**
 * Resolves the bearer secret of a request. The admin token is configured (its hash only
 * stays in memory); customer API keys live hashed in the database.
 */
public final class Authenticator {

    private final String adminTokenHash;
    private final ApiKeys apiKeys;

    public Authenticator(String adminToken, ApiKeys apiKeys) {
        this.adminTokenHash = adminToken == null || adminToken.isBlank() ? null : Secrets.sha256Hex(adminToken);
        this.apiKeys = apiKeys;
    }

    public Optional<Principal> authenticate(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String secret = authorizationHeader.substring(7).strip();
        if (secret.isEmpty() || secret.length() > 512) {
            return Optional.empty();
        }
        if (adminTokenHash != null && Secrets.sameHash(adminTokenHash, Secrets.sha256Hex(secret))) {
            return Optional.of(new Principal.Admin());
        }
        return apiKeys.resolve(secret).map(key -> key);
    }
}
