package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynrag.platform.crypto.Secrets;
import org.assertj.core.api.SoftAssertions;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Forged and bent access tokens, as an attacker outside the system can make them, against a
 * read endpoint and a tenant's data endpoint. Each must be 401 problem+json with the same
 * answer (no oracle), and must not act for anyone. Expired and not-yet-valid tokens need our
 * signing key to be made at all; the unit tests of AccessTokens cover them with a clock.
 */
@Tag("e2e")
class TokenAttackTest {

    private final TestSystem system = TestSystem.shared();
    private final ApiClient api = system.api();

    @Test
    void forgedAndTamperedTokensAreRefusedAlike() throws Exception {
        TestSystem.Account victim = system.signUp("Attack Target");
        TestSystem.Account other = system.signUp("Other Tenant");
        String real = victim.accessToken();
        ObjectNode header = JwtParts.header(real);
        ObjectNode claims = JwtParts.claims(real);
        String kid = header.get("kid").asText();
        PublicJsonWebKey ours = (PublicJsonWebKey) new JsonWebKeySet(api.get("/.well-known/jwks.json", null).body())
                .findJsonWebKey(kid, null, null, null);
        EllipticCurveJsonWebKey attacker = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        String ourPublicJwk = ours.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
        String ourPublicPem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(ours.getPublicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";

        Map<String, Map<String, String>> attacks = new LinkedHashMap<>();
        for (String none : List.of("none", "None", "NONE")) {
            attacks.put("alg " + none, bearer(unsigned(header.deepCopy().put("alg", none), claims)));
        }
        attacks.put("HS256 keyed with the public JWK", bearer(sign(claims, h -> h.setKeyIdHeaderValue(kid),
                AlgorithmIdentifiers.HMAC_SHA256, new HmacKey(ourPublicJwk.getBytes(StandardCharsets.UTF_8)))));
        attacks.put("HS256 keyed with the public PEM", bearer(sign(claims, h -> h.setKeyIdHeaderValue(kid),
                AlgorithmIdentifiers.HMAC_SHA256, new HmacKey(ourPublicPem.getBytes(StandardCharsets.US_ASCII)))));
        attacks.put("HS256 keyed with the public DER", bearer(sign(claims, h -> h.setKeyIdHeaderValue(kid),
                AlgorithmIdentifiers.HMAC_SHA256, new HmacKey(ours.getPublicKey().getEncoded()))));
        attacks.put("ES256 by another key under our kid", bearer(signedByAttacker(claims, attacker,
                h -> h.setKeyIdHeaderValue(kid))));
        attacks.put("ES256 with the attacker's key embedded (jwk)", bearer(signedByAttacker(claims, attacker,
                h -> h.setJwkHeader(attacker))));
        attacks.put("ES256 with the attacker's key set URL (jku)", bearer(signedByAttacker(claims, attacker,
                h -> h.setHeader("jku", "http://127.0.0.1:9/jwks.json"))));
        attacks.put("unknown kid", bearer(signedByAttacker(claims, attacker,
                h -> h.setKeyIdHeaderValue("no-such-key"))));
        attacks.put("no kid", bearer(signedByAttacker(claims, attacker, h -> { })));
        attacks.put("wrong issuer", bearer(signedByAttacker(claims.deepCopy().put("iss", "https://evil.example"),
                attacker, h -> h.setKeyIdHeaderValue(kid))));
        attacks.put("wrong audience", bearer(signedByAttacker(claims.deepCopy().put("aud", "another-api"),
                attacker, h -> h.setKeyIdHeaderValue(kid))));
        attacks.put("payload moved to another tenant", bearer(JwtParts.encode(header) + "."
                + JwtParts.encode(claims.deepCopy().put("customer_id", other.customerId()).put("sub", other.userId()))
                + "." + JwtParts.signature(real)));
        attacks.put("payload raised to admin", bearer(JwtParts.encode(header) + "."
                + JwtParts.encode(claims.deepCopy().put("role", "ADMIN").without("customer_id"))
                + "." + JwtParts.signature(real)));
        attacks.put("payload lifetime extended", bearer(JwtParts.encode(header) + "."
                + JwtParts.encode(claims.deepCopy().put("exp", claims.get("exp").asLong() + 86_400))
                + "." + JwtParts.signature(real)));
        attacks.put("header typ changed", bearer(JwtParts.encode(header.deepCopy().put("typ", "JWT")) + "."
                + real.substring(real.indexOf('.') + 1)));
        attacks.put("header alg changed to ES384", bearer(JwtParts.encode(header.deepCopy().put("alg", "ES384")) + "."
                + real.substring(real.indexOf('.') + 1)));
        attacks.put("signature removed", bearer(real.substring(0, real.lastIndexOf('.') + 1)));
        attacks.put("garbage", bearer("garbage"));
        attacks.put("three garbage parts", bearer("a.b.c"));
        attacks.put("oversized", bearer("eyJ" + "A".repeat(5_000)));
        attacks.put("empty bearer", Map.of("Authorization", "Bearer "));
        attacks.put("Basic scheme", Map.of("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((victim.email() + ":" + TestSystem.PASSWORD).getBytes(StandardCharsets.UTF_8))));
        attacks.put("refresh token as bearer", bearer(victim.refreshToken()));
        attacks.put("access token in X-API-Key", ApiClient.apiKeyHeader(real));

        SoftAssertions softly = new SoftAssertions();
        Set<String> details = new HashSet<>();
        List<String> leaks = new ArrayList<>();
        for (var attack : attacks.entrySet()) {
            for (ApiClient.Response response : List.of(
                    api.send("GET", "/v1/auth/me", attack.getValue(), null),
                    api.send("POST", "/v1/search", attack.getValue(), Json.object("query", "anything")))) {
                softly.assertThat(response.status()).as(attack.getKey() + ": " + response.body()).isEqualTo(401);
                softly.assertThat(response.contentType()).as(attack.getKey()).startsWith("application/problem+json");
                softly.assertThat(response.header("WWW-Authenticate")).as(attack.getKey()).hasValue("Bearer");
                if (response.contentType().startsWith("application/problem+json")) {
                    details.add(response.json().get("detail").asText());
                }
                String credential = attack.getValue().values().iterator().next();
                String tail = credential.substring(Math.max(0, credential.length() - 12));
                if (credential.length() > 12 && response.body().contains(tail)) {
                    leaks.add(attack.getKey());
                }
            }
        }
        softly.assertAll();
        assertThat(details).as("every refusal says the same").hasSize(1);
        assertThat(leaks).as("answers that echo the credential").isEmpty();

        assertThat(api.get("/v1/auth/me", real).status()).as("the real token still works").isEqualTo(200);
        assertThat(api.postJson("/v1/search", real, Json.object("query", "anything")).status()).isEqualTo(200);
    }

    /**
     * Someone who captured a refresh request (say from a proxy's log) sends it again with its Idempotency-Key,
     * hoping for the kept answer. There is none: the request runs as any refresh would, the used token is reuse,
     * and the whole sign-in is revoked, the victim's current session included.
     */
    @Test
    void aCapturedRefreshReplayedWithItsIdempotencyKeyGetsNoTokenAndRevokesTheSignIn() {
        TestSystem.Account victim = system.signUp("Replay Target");
        Map<String, String> headers = Map.of("Idempotency-Key", UUID.randomUUID().toString());
        String captured = Json.object("refreshToken", victim.refreshToken());

        ApiClient.Response victims = api.send("POST", "/v1/auth/refresh", headers, captured);
        ApiClient.Response replayed = api.send("POST", "/v1/auth/refresh", headers, captured);

        assertThat(victims.status()).as(victims.body()).isEqualTo(200);
        String current = victims.json().get("refreshToken").asText();
        assertThat(replayed.status()).as(replayed.body()).isEqualTo(401);
        assertThat(replayed.header("Idempotent-Replayed")).isEmpty();
        assertThat(replayed.body()).doesNotContain(current)
                .doesNotContain(victims.json().get("accessToken").asText()).contains("already used");
        assertThat(system.database().rows("""
                SELECT f.revoked_reason FROM command.refresh_family f
                JOIN command.refresh_token t ON t.family_id = f.family_id WHERE t.token_hash = ?""",
                Secrets.sha256Hex(current)).getFirst().get("revoked_reason")).isEqualTo("REUSE");
        ApiClient.Response next = api.postJson("/v1/auth/refresh", null, Json.object("refreshToken", current));
        assertThat(next.status()).as("the victim's session is revoked with it: " + next.body()).isEqualTo(401);
    }

    private static Map<String, String> bearer(String token) {
        return ApiClient.bearer(token);
    }

    private static String unsigned(ObjectNode header, ObjectNode claims) {
        return JwtParts.encode(header) + "." + JwtParts.encode(claims) + ".";
    }

    private static String signedByAttacker(ObjectNode claims, EllipticCurveJsonWebKey attacker,
                                           Consumer<JsonWebSignature> headers) throws JoseException {
        return sign(claims, headers, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, attacker.getPrivateKey());
    }

    private static String sign(ObjectNode claims, Consumer<JsonWebSignature> headers, String algorithm, Key key)
            throws JoseException {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toString());
        jws.setAlgorithmHeaderValue(algorithm);
        jws.setHeader("typ", "at+jwt");
        headers.accept(jws);
        jws.setKey(key);
        jws.setDoKeyValidation(false);
        return jws.getCompactSerialization();
    }
}
