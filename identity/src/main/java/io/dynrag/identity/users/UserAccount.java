package io.dynrag.identity.users;

import java.time.Instant;

/** A person who signs in with email and password; {@code customerId} is null for platform admins. */
public record UserAccount(String userId, String customerId, String email, String passwordHash, Role role, Instant createdAt) {

    /** Leaves the password hash out, so logging an account never exposes it. */
    @Override
    public String toString() {
        return "UserAccount[userId=" + userId + ", customerId=" + customerId + ", email=" + email
                + ", role=" + role + ", createdAt=" + createdAt + "]";
    }
}
