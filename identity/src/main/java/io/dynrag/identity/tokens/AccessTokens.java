package io.dynrag.identity.tokens;

import io.dynrag.identity.users.Role;
import org.jose4j.jwa.AlgorithmConstraints.ConstraintType;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.ErrorCodeValidator;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

import java.time.Clock;
import java.time.Instant;
import java.util.stream.Collectors;

/**
 * Short-lived access tokens: JWTs signed with ES256 by the current {@link SigningKeys} key, the kid in the
 * header, {@code typ: at+jwt} (RFC 9068) so no other kind of JWT passes for one.
 *
 * <p>Verification pins everything an attacker could bend: only ES256 (so neither {@code alg: none} nor an
 * HMAC keyed with our public key), only our keys by kid, the issuer, the audience and the type; it requires
 * {@code exp}, {@code iat}, {@code sub} and {@code jti}, and allows 30 seconds of clock skew.
 */
public final class AccessTokens {

    static final int CLOCK_SKEW_SECONDS = 30;
    static final String TOKEN_TYPE = "at+jwt";
    static final String CUSTOMER_CLAIM = "customer_id";
    static final String ROLE_CLAIM = "role";
    /** Ours are about 500 characters; anything far longer is not worth parsing. */
    private static final int MAX_TOKEN_LENGTH = 4096;
    private static final int MAX_REASON_LENGTH = 300;

    private final SigningKeys signingKeys;
    private final TokenSettings settings;
    private final Clock clock;
    private final VerificationKeyResolver keyResolver;

    public AccessTokens(SigningKeys signingKeys, TokenSettings settings, Clock clock) {
        this.signingKeys = signingKeys;
        this.settings = settings;
        this.clock = clock;
        this.keyResolver = (jws, nesting) -> {
            String kid = jws.getKeyIdHeaderValue();
            if (kid == null) {
                throw new UnresolvableKeyException("the token names no signing key (kid)");
            }
            return signingKeys.verificationKey(kid)
                    .orElseThrow(() -> new UnresolvableKeyException("no signing key has the token's kid"));
        };
    }

    /**
     * Signs the claims with the current key. The lifetime ({@code expiresAt - issuedAt}, whole seconds) may
     * not exceed the configured access-token lifetime; verification would refuse such a token anyway.
     */
    public String issue(AccessClaims access) {
        long issuedAt = access.issuedAt().getEpochSecond();
        long expiresAt = access.expiresAt().getEpochSecond();
        if (expiresAt <= issuedAt || expiresAt - issuedAt > settings.accessTokenLifetime().toSeconds()) {
            throw new IllegalArgumentException("an access token must expire after it is issued and live at most "
                    + settings.accessTokenLifetime());
        }
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(settings.issuer());
        claims.setAudience(settings.audience());
        claims.setSubject(access.userId());
        claims.setGeneratedJwtId();
        claims.setIssuedAt(NumericDate.fromSeconds(issuedAt));
        claims.setNotBefore(NumericDate.fromSeconds(issuedAt));
        claims.setExpirationTime(NumericDate.fromSeconds(expiresAt));
        claims.setStringClaim(ROLE_CLAIM, access.role().name());
        if (access.customerId() != null) {
            claims.setStringClaim(CUSTOMER_CLAIM, access.customerId());
        }
        SigningKeys.SigningKey key = signingKeys.signingKey();
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(SigningKeys.ALGORITHM);
        jws.setKeyIdHeaderValue(key.kid());
        jws.setHeader("typ", TOKEN_TYPE);
        jws.setKey(key.privateKey());
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign an access token", e);
        }
    }

    public AccessClaims verify(String compactJwt) {
        if (compactJwt == null || compactJwt.isEmpty() || compactJwt.length() > MAX_TOKEN_LENGTH) {
            throw new InvalidTokenException("missing, empty or oversized token");
        }
        JwtClaims claims;
        try {
            claims = consumer().processToClaims(compactJwt);
        } catch (InvalidJwtException e) {
            throw new InvalidTokenException(reason(e, compactJwt));
        }
        try {
            Role role = Role.valueOf(claims.getStringClaimValue(ROLE_CLAIM));
            return new AccessClaims(claims.getSubject(), claims.getStringClaimValue(CUSTOMER_CLAIM), role,
                    Instant.ofEpochSecond(claims.getIssuedAt().getValue()),
                    Instant.ofEpochSecond(claims.getExpirationTime().getValue()));
        } catch (MalformedClaimException | RuntimeException e) {
            throw new InvalidTokenException("the role or customer claim is missing or inconsistent");
        }
    }

    /** Built per call because the evaluation time comes from our clock, not the system's. */
    private JwtConsumer consumer() {
        long lifetimeSeconds = settings.accessTokenLifetime().toSeconds();
        return new JwtConsumerBuilder()
                .setJwsAlgorithmConstraints(ConstraintType.PERMIT, SigningKeys.ALGORITHM)
                .setVerificationKeyResolver(keyResolver)
                .setExpectedType(true, TOKEN_TYPE)
                .setExpectedIssuer(settings.issuer())
                .setExpectedAudience(settings.audience())
                .setRequireExpirationTime()
                .setRequireIssuedAt()
                .setRequireSubject()
                .setRequireJwtId()
                .setAllowedClockSkewInSeconds(CLOCK_SKEW_SECONDS)
                // Both limits below get the clock skew added by jose4j, hence no skew of their own.
                .setIssuedAtRestrictions(0, (int) lifetimeSeconds)
                .setMaxFutureValidityInMinutes((int) Math.ceilDiv(lifetimeSeconds, 60))
                .setEvaluationTime(NumericDate.fromMilliseconds(clock.millis()))
                .build();
    }

    /**
     * The validation errors without the token itself (jose4j quotes the whole presented credential in some
     * messages, and a client may present another secret, a refresh token say, where an access token belongs),
     * with control characters removed because parts of the text come from the attacker.
     */
    private static String reason(InvalidJwtException e, String presented) {
        String details = e.getErrorDetails().stream()
                .map(ErrorCodeValidator.Error::getErrorMessage)
                .collect(Collectors.joining("; "));
        String cleaned = details
                .replace(presented, "<token>")
                .replaceAll("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*", "<token>")
                .replaceAll("\\p{Cntrl}", " ");
        return cleaned.length() > MAX_REASON_LENGTH ? cleaned.substring(0, MAX_REASON_LENGTH) + "..." : cleaned;
    }
}
