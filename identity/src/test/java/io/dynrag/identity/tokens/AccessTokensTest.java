package io.dynrag.identity.tokens;

import io.dynrag.identity.users.Role;
import io.dynrag.platform.testing.MutableClock;
import io.dynrag.platform.testing.TestDatabase;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AccessTokensTest {

    private static final String USER = "3f0c6a8e-6a57-4c9b-9f0e-2a3c1d5b7e90";
    private static final Map<String, String> REQUIRED_CLAIM_REASONS = Map.of(
            "sub", "No Subject (sub) claim", "exp", "No Expiration Time (exp) claim",
            "iat", "No Issued At (iat) claim", "jti", "The JWT ID (jti) claim is not present");

    private final MutableClock clock = MutableClock.atRealTime();
    private TokenFixture instance;
    private AccessTokens tokens;

    @BeforeEach
    void freshKeys() {
        TestDatabase.get().truncate("signing_key");
        instance = new TokenFixture(clock);
        instance.signingKeys.ensureCurrent();
        tokens = instance.accessTokens;
    }

    @Test
    void aCustomerTokenVerifiesToTheSameClaims() {
        AccessClaims claims = customerClaims();

        AccessClaims verified = tokens.verify(tokens.issue(claims));

        assertThat(verified).isEqualTo(claims);
    }

    @Test
    void anAdminTokenCarriesNoCustomer() {
        Instant now = clock.instant();
        AccessClaims claims = new AccessClaims(USER, null, Role.ADMIN, now, now.plus(Duration.ofMinutes(15)));

        assertThat(tokens.verify(tokens.issue(claims))).isEqualTo(claims);
    }

    @Test
    void theHeaderNamesTheKeyTheAlgorithmAndTheType() throws Exception {
        String token = tokens.issue(customerClaims());

        JsonWebSignature jws = (JsonWebSignature) JsonWebSignature.fromCompactSerialization(token);

        assertThat(jws.getKeyIdHeaderValue()).isEqualTo(instance.signingKeys.signingKey().kid());
        assertThat(jws.getAlgorithmHeaderValue()).isEqualTo("ES256");
        assertThat(jws.getHeader("typ")).isEqualTo("at+jwt");
    }

    @Test
    void refusesToIssueATokenThatLivesLongerThanConfigured() {
        Instant now = clock.instant();

        assertThatThrownBy(() -> tokens.issue(new AccessClaims(USER, "cust-a", Role.CUSTOMER, now, now.plus(Duration.ofHours(1)))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tokens.issue(new AccessClaims(USER, "cust-a", Role.CUSTOMER, now, now)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCraftedBaselineTokenPasses() throws Exception {
        // Every attack below changes one thing of this token; it must pass unchanged, or the attacks prove nothing.
        assertThat(tokens.verify(signWithOurKey(validClaims())).customerId()).isEqualTo("cust-a");
    }

    @Test
    void anExpiredTokenIsRefusedAfterThirtySecondsOfSkew() {
        String token = tokens.issue(customerClaims());

        clock.advance(Duration.ofMinutes(15).plusSeconds(29));
        assertThat(tokens.verify(token).userId()).isEqualTo(USER);

        clock.advance(Duration.ofSeconds(2));
        assertRejected(token, "no longer valid");
    }

    @Test
    void refusesAlgNone() throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(validClaims().toJson());
        jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
        jws.setKeyIdHeaderValue(currentKid());
        jws.setHeader("typ", "at+jwt");

        assertRejected(jws.getCompactSerialization(), "'none' is not a permitted algorithm");
    }

    @Test
    void refusesHs256KeyedWithOurPublicKey() throws Exception {
        byte[] publicKeyDer = instance.signingKeys.verificationKey(currentKid()).orElseThrow().getEncoded();
        byte[] jwksBytes = instance.signingKeys.jwksJson().getBytes(StandardCharsets.UTF_8);

        for (byte[] secret : new byte[][] {publicKeyDer, jwksBytes}) {
            String forged = sign(validClaims(), new HmacKey(secret), AlgorithmIdentifiers.HMAC_SHA256, this::ourHeaders);
            assertRejected(forged, "'HS256' is not a permitted algorithm");
        }
    }

    @Test
    void refusesAnotherIssuer() throws Exception {
        JwtClaims claims = validClaims();
        claims.setIssuer("https://evil.example");

        assertRejected(signWithOurKey(claims), "Issuer (iss) claim value (https://evil.example)");
    }

    @Test
    void refusesAnotherAudience() throws Exception {
        JwtClaims claims = validClaims();
        claims.setAudience("some-other-service");

        assertRejected(signWithOurKey(claims), "Audience (aud)");
    }

    @Test
    void refusesATokenNotValidYet() throws Exception {
        JwtClaims claims = validClaims();
        claims.setNotBefore(NumericDate.fromSeconds(clock.instant().getEpochSecond() + 45));

        assertRejected(signWithOurKey(claims), "not yet valid");
    }

    @Test
    void acceptsNotBeforeWithinTheClockSkew() throws Exception {
        JwtClaims claims = validClaims();
        claims.setNotBefore(NumericDate.fromSeconds(clock.instant().getEpochSecond() + 20));

        assertThat(tokens.verify(signWithOurKey(claims)).userId()).isEqualTo(USER);
    }

    @Test
    void refusesATokenIssuedInTheFutureBeyondTheClockSkew() throws Exception {
        JwtClaims later = validClaims();
        later.setIssuedAt(NumericDate.fromSeconds(clock.instant().getEpochSecond() + 45));
        JwtClaims slightlyLater = validClaims();
        slightlyLater.setIssuedAt(NumericDate.fromSeconds(clock.instant().getEpochSecond() + 25));

        assertRejected(signWithOurKey(later), "ahead of now");
        assertThat(tokens.verify(signWithOurKey(slightlyLater)).userId()).isEqualTo(USER);
    }

    @Test
    void refusesATokenValidForFarTooLong() throws Exception {
        JwtClaims claims = validClaims();
        claims.setExpirationTime(NumericDate.fromSeconds(clock.instant().getEpochSecond() + 86_400));

        assertRejected(signWithOurKey(claims), "cannot be more than 15 minutes in the future");
    }

    @Test
    void refusesATamperedPayload() {
        String token = tokens.issue(customerClaims());
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"CUSTOMER\"", "\"ADMIN\"");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];

        assertRejected(tampered, "Invalid JWS Signature");
    }

    @Test
    void refusesATokenSignedByAKeyWeDoNotHave() throws Exception {
        EllipticCurveJsonWebKey stranger = EcJwkGenerator.generateJwk(EllipticCurves.P256);

        assertRejected(sign(validClaims(), stranger.getPrivateKey(), "ES256", jws -> {
            ourHeaders(jws);
            jws.setKeyIdHeaderValue("unknown-kid");
        }), "no signing key has the token's kid");
        assertRejected(sign(validClaims(), stranger.getPrivateKey(), "ES256", this::ourHeaders), "Invalid JWS Signature");
        assertRejected(sign(validClaims(), stranger.getPrivateKey(), "ES256", jws -> jws.setHeader("typ", "at+jwt")), "names no signing key");
    }

    @Test
    void refusesGarbage() {
        for (String garbage : new String[] {"garbage", "a.b.c", "..", "", "eyJhbGciOiJFUzI1NiJ9.e30.", "x".repeat(5000)}) {
            assertRejected(garbage);
        }
        assertThatThrownBy(() -> tokens.verify(null)).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void requiresSubjectExpiryIssuedAtAndTokenId() throws Exception {
        for (String claim : new String[] {"sub", "exp", "iat", "jti"}) {
            JwtClaims claims = validClaims();
            claims.unsetClaim(claim);
            assertRejected(signWithOurKey(claims), REQUIRED_CLAIM_REASONS.get(claim));
        }
    }

    @Test
    void requiresTheAccessTokenType() throws Exception {
        assertRejected(sign(validClaims(), instance.signingKeys.signingKey().privateKey(), "ES256", jws -> {
            jws.setKeyIdHeaderValue(currentKid());
            jws.setHeader("typ", "JWT");
        }), "Invalid typ header parameter value 'JWT'");
        assertRejected(sign(validClaims(), instance.signingKeys.signingKey().privateKey(), "ES256",
                jws -> jws.setKeyIdHeaderValue(currentKid())), "No typ header");
    }

    @Test
    void refusesRolesThatDoNotFitTheTenant() throws Exception {
        JwtClaims customerWithoutTenant = validClaims();
        customerWithoutTenant.unsetClaim("customer_id");
        JwtClaims adminWithTenant = validClaims();
        adminWithTenant.setStringClaim("role", "ADMIN");
        JwtClaims unknownRole = validClaims();
        unknownRole.setStringClaim("role", "ROOT");

        assertRejected(signWithOurKey(customerWithoutTenant), "role or customer claim");
        assertRejected(signWithOurKey(adminWithTenant), "role or customer claim");
        assertRejected(signWithOurKey(unknownRole), "role or customer claim");
    }

    @Test
    void theClientMessageIsGenericAndTheReasonLeavesTheTokenOut() throws Exception {
        String forged = sign(validClaims(), EcJwkGenerator.generateJwk(EllipticCurves.P256).getPrivateKey(), "ES256", this::ourHeaders);

        assertThatThrownBy(() -> tokens.verify(forged))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("The access token is invalid or has expired.");
                    assertThat(e.reason()).contains("Invalid JWS Signature", "<token>").doesNotContain(forged.split("\\.")[1]);
                });
    }

    @Test
    void theReasonLeavesOutASecretThatIsNotAToken() {
        String refreshToken = "drr_Je8s6lJLS6jg3-L7zV0UpYPmiAjMGUlpNgqEuA5Mgcg";

        assertThatThrownBy(() -> tokens.verify(refreshToken))
                .isInstanceOfSatisfying(InvalidTokenException.class,
                        e -> assertThat(e.reason()).contains("<token>").doesNotContain(refreshToken));
    }

    /** Rejected, and for the expected reason rather than some accident of how the attack was crafted. */
    private void assertRejected(String token, String expectedReason) {
        assertThatThrownBy(() -> tokens.verify(token))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).contains(expectedReason));
    }

    private void assertRejected(String token) {
        assertThatThrownBy(() -> tokens.verify(token)).isInstanceOf(InvalidTokenException.class);
    }

    private AccessClaims customerClaims() {
        Instant now = clock.instant();
        return new AccessClaims(USER, "cust-a", Role.CUSTOMER, now, now.plus(Duration.ofMinutes(15)));
    }

    /** Claims that would pass: each attack changes one thing. */
    private JwtClaims validClaims() {
        long now = clock.instant().getEpochSecond();
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(TokenFixture.SETTINGS.issuer());
        claims.setAudience(TokenFixture.SETTINGS.audience());
        claims.setSubject(USER);
        claims.setGeneratedJwtId();
        claims.setIssuedAt(NumericDate.fromSeconds(now));
        claims.setExpirationTime(NumericDate.fromSeconds(now + 600));
        claims.setStringClaim("role", "CUSTOMER");
        claims.setStringClaim("customer_id", "cust-a");
        return claims;
    }

    private String currentKid() {
        return instance.signingKeys.signingKey().kid();
    }

    private String signWithOurKey(JwtClaims claims) throws Exception {
        return sign(claims, instance.signingKeys.signingKey().privateKey(), "ES256", this::ourHeaders);
    }

    private void ourHeaders(JsonWebSignature jws) {
        jws.setKeyIdHeaderValue(currentKid());
        jws.setHeader("typ", "at+jwt");
    }

    private static String sign(JwtClaims claims, Key key, String algorithm, Consumer<JsonWebSignature> headers) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        jws.setAlgorithmHeaderValue(algorithm);
        jws.setDoKeyValidation(false);
        jws.setKey(key);
        headers.accept(jws);
        return jws.getCompactSerialization();
    }
}
