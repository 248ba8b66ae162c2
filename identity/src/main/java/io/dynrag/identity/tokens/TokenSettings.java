package io.dynrag.identity.tokens;

import java.time.Duration;

/**
 * What access and refresh tokens look like: {@code issuer} and {@code audience} are pinned on every
 * verification, the lifetimes bound how long a stolen token is useful.
 */
public record TokenSettings(
        String issuer,
        String audience,
        Duration accessTokenLifetime,
        Duration refreshTokenLifetime,
        Duration signingKeyRotation) {

    public static final Duration DEFAULT_ACCESS_TOKEN_LIFETIME = Duration.ofMinutes(15);
    public static final Duration DEFAULT_REFRESH_TOKEN_LIFETIME = Duration.ofDays(30);
    public static final Duration DEFAULT_SIGNING_KEY_ROTATION = Duration.ofDays(30);

    public TokenSettings {
        requireText(issuer, "issuer");
        requireText(audience, "audience");
        requirePositive(accessTokenLifetime, "accessTokenLifetime");
        requirePositive(refreshTokenLifetime, "refreshTokenLifetime");
        requirePositive(signingKeyRotation, "signingKeyRotation");
        if (accessTokenLifetime.toSeconds() < 1) {
            throw new IllegalArgumentException("accessTokenLifetime must be at least one second");
        }
    }

    /** 15-minute access tokens, 30-day refresh tokens, a new signing key every 30 days. */
    public static TokenSettings withDefaultLifetimes(String issuer, String audience) {
        return new TokenSettings(issuer, audience,
                DEFAULT_ACCESS_TOKEN_LIFETIME, DEFAULT_REFRESH_TOKEN_LIFETIME, DEFAULT_SIGNING_KEY_ROTATION);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }

    private static void requirePositive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
