package io.dynrag.identity.tokens;

import io.dynrag.identity.users.Role;

import java.time.Instant;
import java.util.Objects;

/**
 * What a verified access token says: who ({@code userId}, the {@code sub}), in which tenant
 * ({@code customerId}, null for admins), with which role, and for how long.
 */
public record AccessClaims(String userId, String customerId, Role role, Instant issuedAt, Instant expiresAt) {

    public AccessClaims {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if ((role == Role.ADMIN) != (customerId == null)) {
            throw new IllegalArgumentException(role == Role.ADMIN
                    ? "an admin token carries no customer id" : "a customer token needs a customer id");
        }
    }
}
