package io.dynrag.identity.tokens;

import io.dynrag.identity.users.Role;
import io.dynrag.platform.testing.MutableClock;
import io.dynrag.platform.testing.TestDatabase;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.JsonWebSignature;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SigningKeysTest {

    private static final String USER = "3f0c6a8e-6a57-4c9b-9f0e-2a3c1d5b7e90";

    private final TestDatabase database = TestDatabase.get();
    private final MutableClock clock = MutableClock.atRealTime();
    private final TokenFixture instance = new TokenFixture(clock);

    @BeforeEach
    void noKeys() {
        database.truncate("signing_key");
    }

    @Test
    void signingNeedsAKeyCreatedAtStart() {
        assertThatThrownBy(() -> instance.accessTokens.issue(claims()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ensureCurrent");
    }

    @Test
    void ensureCurrentCreatesOneKeyAndKeepsItUntilItIsDue() {
        instance.signingKeys.ensureCurrent();
        String first = instance.signingKeys.signingKey().kid();

        clock.advance(Duration.ofDays(29));
        instance.signingKeys.ensureCurrent();

        assertThat(instance.signingKeys.signingKey().kid()).isEqualTo(first);
        assertThat(database.queryOne("SELECT count(*) FROM signing_key", Long.class)).isEqualTo(1);
    }

    @Test
    void ensureCurrentRotatesAKeyOlderThanTheRotationPeriod() {
        instance.signingKeys.ensureCurrent();
        String first = instance.signingKeys.signingKey().kid();

        clock.advance(Duration.ofDays(30));
        instance.signingKeys.ensureCurrent();

        assertThat(instance.signingKeys.signingKey().kid()).isNotEqualTo(first);
        assertThat(database.queryOne("SELECT retired_at IS NOT NULL FROM signing_key WHERE kid = ?", Boolean.class, first)).isTrue();
    }

    @Test
    void instancesStartingTogetherCreateASingleKey() throws Exception {
        TokenFixture other = new TokenFixture(clock);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<Void> one = CompletableFuture.runAsync(() -> awaitThen(start, instance.signingKeys::ensureCurrent), threads);
            CompletableFuture<Void> two = CompletableFuture.runAsync(() -> awaitThen(start, other.signingKeys::ensureCurrent), threads);
            start.countDown();
            CompletableFuture.allOf(one, two).get();
        } finally {
            threads.shutdownNow();
        }

        assertThat(database.queryOne("SELECT count(*) FROM signing_key", Long.class)).isEqualTo(1);
        assertThat(other.signingKeys.signingKey().kid()).isEqualTo(instance.signingKeys.signingKey().kid());
    }

    @Test
    void afterRotationOldTokensVerifyUntilTheyExpireAndNewTokensUseTheNewKey() throws Exception {
        instance.signingKeys.ensureCurrent();
        String oldToken = instance.accessTokens.issue(claims());
        String oldKid = kidOf(oldToken);

        String newKid = instance.signingKeys.rotate();
        String newToken = instance.accessTokens.issue(claims());

        assertThat(newKid).isNotEqualTo(oldKid);
        assertThat(kidOf(newToken)).isEqualTo(newKid);
        assertThat(instance.accessTokens.verify(oldToken).userId()).isEqualTo(USER);
        assertThat(instance.accessTokens.verify(newToken).userId()).isEqualTo(USER);
        assertThat(publishedKids()).containsExactly(newKid, oldKid);

        clock.advance(Duration.ofMinutes(15).plusSeconds(29));
        assertThat(instance.accessTokens.verify(oldToken).userId()).isEqualTo(USER);
        assertThat(publishedKids()).containsExactly(newKid, oldKid);

        clock.advance(Duration.ofSeconds(2));
        assertThatThrownBy(() -> instance.accessTokens.verify(oldToken)).isInstanceOf(InvalidTokenException.class);
        assertThat(publishedKids()).as("published until a minute after the lifetime of its last tokens").contains(oldKid);

        clock.advance(Duration.ofSeconds(30));
        assertThat(publishedKids()).containsExactly(newKid);
    }

    @Test
    void theJwksHoldsPublicKeysOnly() throws Exception {
        instance.signingKeys.ensureCurrent();
        instance.signingKeys.rotate();

        String jwks = instance.signingKeys.jwksJson();

        assertThat(jwks).doesNotContain("\"d\"");
        List<JsonWebKey> keys = new JsonWebKeySet(jwks).getJsonWebKeys();
        assertThat(keys).hasSize(2).allSatisfy(key -> {
            assertThat(key.getKeyType()).isEqualTo("EC");
            assertThat(key.getAlgorithm()).isEqualTo("ES256");
            assertThat(key.getUse()).isEqualTo("sig");
            assertThat(key.toParams(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE)).containsKeys("x", "y", "crv").doesNotContainKey("d");
        });
    }

    @Test
    void privateKeysAreStoredSealedAndBoundToTheirKid() {
        instance.signingKeys.ensureCurrent();
        String kid = instance.signingKeys.signingKey().kid();

        byte[] sealed = database.queryOne("SELECT private_key FROM signing_key WHERE kid = ?", byte[].class, kid);
        String publicJwk = database.queryOne("SELECT public_jwk FROM signing_key WHERE kid = ?", String.class, kid);

        assertThat(TokenFixture.KEY_ENCRYPTION.keyIdOf(sealed)).isEqualTo("test-kek");
        assertThat(TokenFixture.KEY_ENCRYPTION.open(sealed, "signing-key:" + kid)).isNotEmpty();
        assertThatThrownBy(() -> TokenFixture.KEY_ENCRYPTION.open(sealed, "signing-key:other")).isInstanceOf(RuntimeException.class);
        assertThat(publicJwk).doesNotContain("\"d\"");
    }

    @Test
    void anotherInstanceLearnsOfARotationFromAnUnknownKidAtMostEveryFiveSeconds() {
        instance.signingKeys.ensureCurrent();
        TokenFixture other = new TokenFixture(clock);
        assertThat(other.accessTokens.verify(instance.accessTokens.issue(claims())).userId()).isEqualTo(USER);

        instance.signingKeys.rotate();
        String signedWithNewKey = instance.accessTokens.issue(claims());

        assertThatThrownBy(() -> other.accessTokens.verify(signedWithNewKey))
                .as("the other instance loaded its keys less than five seconds ago")
                .isInstanceOf(InvalidTokenException.class);
        clock.advance(Duration.ofSeconds(5));
        assertThat(other.accessTokens.verify(signedWithNewKey).userId()).isEqualTo(USER);
    }

    @Test
    void anotherInstanceSignsWithTheNewKeyWithinThirtySeconds() throws Exception {
        instance.signingKeys.ensureCurrent();
        TokenFixture other = new TokenFixture(clock);
        String oldKid = kidOf(other.accessTokens.issue(claims()));

        String newKid = instance.signingKeys.rotate();

        assertThat(kidOf(other.accessTokens.issue(claims()))).isEqualTo(oldKid);
        clock.advance(Duration.ofSeconds(30));
        assertThat(kidOf(other.accessTokens.issue(claims()))).isEqualTo(newKid);
    }

    private AccessClaims claims() {
        Instant now = clock.instant();
        return new AccessClaims(USER, "cust-a", Role.CUSTOMER, now, now.plus(Duration.ofMinutes(15)));
    }

    private List<String> publishedKids() throws Exception {
        return new JsonWebKeySet(instance.signingKeys.jwksJson()).getJsonWebKeys().stream().map(JsonWebKey::getKeyId).toList();
    }

    private static String kidOf(String token) throws Exception {
        return JsonWebSignature.fromCompactSerialization(token).getKeyIdHeaderValue();
    }

    private static void awaitThen(CountDownLatch start, Runnable work) {
        try {
            start.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        work.run();
    }
}
