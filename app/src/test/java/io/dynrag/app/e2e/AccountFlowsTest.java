package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.api.auth.Secrets;
import org.jose4j.jwa.AlgorithmConstraints.ConstraintType;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static io.dynrag.app.e2e.TestSystem.PASSWORD;
import static io.dynrag.app.e2e.TestSystem.assertProblem;
import static io.dynrag.app.e2e.TestSystem.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Accounts over HTTP: sign-up, sign-in and its throttle, refresh-token rotation with reuse
 * detection, sign-out, who-am-I, the published verification keys and their rotation.
 */
class AccountFlowsTest {

    private static final long ACCESS_TOKEN_SECONDS = Duration.ofMinutes(15).toSeconds();

    private final TestSystem system = TestSystem.shared();
    private final ApiClient api = system.api();

    @Test
    void signingUpCreatesACustomerAndSignsItsFirstUserIn() {
        String email = uniqueEmail("Ada.Lovelace");

        ApiClient.Response signup = signup(email, PASSWORD, "Analytical Engines Ltd");

        assertThat(signup.status()).as(signup.body()).isEqualTo(201);
        JsonNode tokens = signup.json();
        assertThat(tokens.get("tokenType").asText()).isEqualTo("Bearer");
        assertThat(tokens.get("expiresIn").asLong()).isEqualTo(ACCESS_TOKEN_SECONDS);
        assertThat(tokens.get("accessToken").asText().split("\\.")).hasSize(3);
        assertThat(tokens.get("refreshToken").asText()).startsWith("drr_").hasSizeGreaterThanOrEqualTo(4 + 43);
        String customerId = tokens.get("customerId").asText();
        String userId = tokens.get("userId").asText();
        assertThat(customerId).matches(TestSystem.UUID_PATTERN);
        assertThat(userId).matches(TestSystem.UUID_PATTERN);

        JsonNode me = ok(api.get("/v1/auth/me", tokens.get("accessToken").asText()));
        assertThat(me.get("kind").asText()).isEqualTo("user");
        assertThat(me.get("email").asText()).isEqualTo(email.toLowerCase(Locale.ROOT));
        assertThat(me.get("company").asText()).isEqualTo("Analytical Engines Ltd");
        assertThat(me.get("customerId").asText()).isEqualTo(customerId);
        assertThat(me.get("userId").asText()).isEqualTo(userId);
        assertThat(me.get("role").asText()).isEqualTo("CUSTOMER");
        assertThat(me.get("status").asText()).isEqualTo("ACTIVE");

        JsonNode login = ok(login(api, email.toUpperCase(Locale.ROOT), PASSWORD));
        assertThat(login.get("customerId").asText()).isEqualTo(customerId);
        assertThat(login.get("userId").asText()).isEqualTo(userId);
        assertThat(login.get("expiresIn").asLong()).isEqualTo(ACCESS_TOKEN_SECONDS);
        assertThat(login.get("refreshToken").asText()).isNotEqualTo(tokens.get("refreshToken").asText());
        assertThat(api.get("/v1/auth/me", login.get("accessToken").asText()).status()).isEqualTo(200);
    }

    @Test
    void signupRefusesADuplicateEmailAWeakPasswordAndAnInvalidEmailAndStoresNothing() {
        TestSystem.Account existing = system.signUp("Original Owner");
        Database database = system.database();
        String countCustomers =
                "SELECT count(*) FROM command.domain_event_entry WHERE payload_type LIKE '%CustomerRegistered'";
        long customers = database.count(countCustomers);
        long users = database.count("SELECT count(*) FROM command.user_account");
        long dataKeys = database.count("SELECT count(*) FROM command.customer_data_key");

        assertProblem(signup(existing.email().toUpperCase(Locale.ROOT), PASSWORD, "Copycat"), 409);
        ApiClient.Response weak = signup(uniqueEmail("weak"), "too short", "Weakling");
        assertProblem(weak, 400);
        assertThat(weak.json().get("detail").asText()).contains("12");
        assertProblem(signup(uniqueEmail("spaces"), " ".repeat(20), "Spaces"), 400);
        assertProblem(signup(uniqueEmail("nopassword"), null, "No Password"), 400);
        assertProblem(signup("not-an-email", PASSWORD, "Invalid"), 400);
        assertProblem(signup("two@@example.test", PASSWORD, "Invalid"), 400);
        assertProblem(signup(null, PASSWORD, "Invalid"), 400);
        assertProblem(signup(uniqueEmail("nocompany"), PASSWORD, null), 400);
        assertProblem(signup(uniqueEmail("longcompany"), PASSWORD, "x".repeat(201)), 400);
        assertProblem(api.postJson("/v1/auth/signup", null, Json.object("email", uniqueEmail("admin"),
                "password", PASSWORD, "company", "Escalation", "role", "ADMIN")), 400);
        assertProblem(api.postJson("/v1/auth/signup", null, "{\"email\": "), 400);
        assertProblem(api.postJson("/v1/auth/signup", null, "\"just a string\""), 400);
        assertProblem(api.postJson("/v1/auth/signup", null, "null"), 400);

        assertThat(database.count(countCustomers)).isEqualTo(customers);
        assertThat(database.count("SELECT count(*) FROM command.user_account")).isEqualTo(users);
        assertThat(database.count("SELECT count(*) FROM command.customer_data_key")).isEqualTo(dataKeys);
    }

    @Test
    void aWrongPasswordAndAnUnknownEmailGetTheSameAnswer() {
        TestSystem.Account account = system.signUp("Same Answer");
        ApiClient client = system.apiFromNewAddress();

        ApiClient.Response wrongPassword = login(client, account.email(), "not the right password");
        ApiClient.Response unknownEmail = login(client, uniqueEmail("nobody"), "not the right password");

        assertProblem(wrongPassword, 401);
        assertProblem(unknownEmail, 401);
        assertThat(unknownEmail.body()).isEqualTo(wrongPassword.body());
        assertThat(unknownEmail.header("WWW-Authenticate")).isEqualTo(wrongPassword.header("WWW-Authenticate"));
        assertThat(unknownEmail.contentType()).isEqualTo(wrongPassword.contentType());
    }

    @Test
    void repeatedFailuresForOneEmailAreSlowedDownWhateverTheAddress() {
        TestSystem.Account account = system.signUp("Throttled Email");
        for (int attempt = 1; attempt <= 6; attempt++) {
            assertProblem(login(system.apiFromNewAddress(), account.email(), "wrong guess " + attempt), 401);
        }

        ApiClient.Response locked = login(system.apiFromNewAddress(), account.email(), PASSWORD);

        assertProblem(locked, 429);
        assertThat(locked.header("Retry-After")).hasValueSatisfying(
                seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 2));
        // A back-off, not a lock-out: once it has passed, the right password signs in again.
        ApiClient later = system.apiFromNewAddress();
        await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(500))
                .until(() -> login(later, account.email(), PASSWORD).status() == 200);
    }

    @Test
    void repeatedFailuresFromOneAddressAreSlowedDownForEveryEmail() {
        TestSystem.Account account = system.signUp("Throttled Address");
        ApiClient attacker = system.apiFromNewAddress();
        for (int attempt = 1; attempt <= 6; attempt++) {
            assertProblem(login(attacker, uniqueEmail("guess" + attempt), "wrong guess " + attempt), 401);
        }

        ApiClient.Response locked = login(attacker, account.email(), PASSWORD);

        assertProblem(locked, 429);
        assertThat(locked.header("Retry-After")).isPresent();
        assertThat(login(system.apiFromNewAddress(), account.email(), PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void refreshRotatesTheTokenAndReuseRevokesTheWholeFamily() {
        TestSystem.Account account = system.signUp("Rotating Refresh");
        String first = account.refreshToken();

        JsonNode rotated = ok(refresh(first));
        String second = rotated.get("refreshToken").asText();
        assertThat(second).startsWith("drr_").isNotEqualTo(first);
        assertThat(rotated.get("userId").asText()).isEqualTo(account.userId());
        assertThat(rotated.get("customerId").asText()).isEqualTo(account.customerId());
        assertThat(rotated.get("expiresIn").asLong()).isEqualTo(ACCESS_TOKEN_SECONDS);
        assertThat(api.get("/v1/auth/me", rotated.get("accessToken").asText()).status()).isEqualTo(200);
        String third = ok(refresh(second)).get("refreshToken").asText();
        String otherSession = ok(login(api, account.email(), PASSWORD)).get("refreshToken").asText();

        ApiClient.Response replay = refresh(first);

        assertProblem(replay, 401);
        assertThat(replay.header("WWW-Authenticate")).hasValue("Bearer");
        assertProblem(refresh(third), 401);
        assertProblem(refresh(second), 401);
        assertThat(familyRevocation(third)).isEqualTo("REUSE");
        assertThat(refresh(otherSession).status()).as("another sign-in is another family").isEqualTo(200);
    }

    @Test
    void refreshRefusesWhatIsNotAValidRefreshToken() {
        TestSystem.Account account = system.signUp("Refresh Input");

        assertProblem(refresh("drr_" + "A".repeat(43)), 401);
        assertProblem(refresh(account.accessToken()), 401);
        assertProblem(refresh(null), 400);
        assertProblem(api.postJson("/v1/auth/refresh", null, Json.object("refreshToken", account.refreshToken(),
                "userId", account.userId())), 400);

        assertThat(refresh(account.refreshToken()).status()).as("the refusals above left the token alone")
                .isEqualTo(200);
    }

    @Test
    void logoutRevokesTheSession() {
        TestSystem.Account account = system.signUp("Logging Out");
        String current = ok(refresh(account.refreshToken())).get("refreshToken").asText();

        ApiClient.Response logout = api.postJson("/v1/auth/logout", null, Json.object("refreshToken", current));

        assertThat(logout.status()).as(logout.body()).isEqualTo(204);
        assertProblem(refresh(current), 401);
        assertThat(familyRevocation(current)).isEqualTo("LOGOUT");
        assertThat(api.postJson("/v1/auth/logout", null, Json.object("refreshToken", current)).status())
                .isEqualTo(204);
        assertThat(api.postJson("/v1/auth/logout", null, Json.object("refreshToken", "drr_unknown")).status())
                .as("an unknown token gets the same answer").isEqualTo(204);
        assertProblem(api.postJson("/v1/auth/logout", null, "{}"), 400);
    }

    @Test
    void meDescribesEachKindOfCaller() {
        TestSystem.Account account = system.signUp("Who Am I");
        TestSystem.IssuedKey key = system.createApiKey(account.accessToken(), "search", "read");

        for (ApiClient.Response asKey : List.of(api.get("/v1/auth/me", key.secret()),
                api.send("GET", "/v1/auth/me", ApiClient.apiKeyHeader(key.secret()), null))) {
            JsonNode me = ok(asKey);
            assertThat(me.get("kind").asText()).isEqualTo("api-key");
            assertThat(me.get("customerId").asText()).isEqualTo(account.customerId());
            assertThat(me.get("keyId").asText()).isEqualTo(key.keyId());
            assertThat(me.get("scopes")).extracting(JsonNode::asText).containsExactly("read", "search");
            assertThat(me.get("email").isNull()).isTrue();
        }

        JsonNode admin = ok(api.get("/v1/auth/me", system.adminAccessToken()));
        assertThat(admin.get("kind").asText()).isEqualTo("user");
        assertThat(admin.get("role").asText()).isEqualTo("ADMIN");
        assertThat(admin.get("email").asText()).isEqualTo(TestSystem.ADMIN_EMAIL);
        assertThat(admin.get("customerId").isNull()).isTrue();

        JsonNode operator = ok(api.get("/v1/auth/me", TestSystem.OPERATOR_TOKEN));
        assertThat(operator.get("kind").asText()).isEqualTo("operator-token");
        assertThat(operator.get("role").asText()).isEqualTo("ADMIN");

        ApiClient.Response anonymous = api.get("/v1/auth/me", null);
        assertProblem(anonymous, 401);
        assertThat(anonymous.header("WWW-Authenticate")).hasValue("Bearer");
    }

    @Test
    void theKeySetPublishesOnlyPublicKeysAndVerifiesOurTokens() throws Exception {
        TestSystem.Account account = system.signUp("Key Set");

        ApiClient.Response response = api.get("/.well-known/jwks.json", null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/jwk-set+json");
        JsonNode keys = response.json().get("keys");
        assertThat(keys).isNotEmpty();
        List<String> kids = new ArrayList<>();
        for (JsonNode key : keys) {
            List<String> members = new ArrayList<>();
            key.fieldNames().forEachRemaining(members::add);
            assertThat(members).containsExactlyInAnyOrder("kty", "kid", "use", "alg", "crv", "x", "y");
            assertThat(key.get("kty").asText()).isEqualTo("EC");
            assertThat(key.get("crv").asText()).isEqualTo("P-256");
            assertThat(key.get("alg").asText()).isEqualTo("ES256");
            assertThat(key.get("use").asText()).isEqualTo("sig");
            kids.add(key.get("kid").asText());
        }
        JsonNode header = JwtParts.header(account.accessToken());
        assertThat(kids).contains(header.get("kid").asText());
        assertThat(header.get("alg").asText()).isEqualTo("ES256");
        assertThat(header.get("typ").asText()).isEqualTo("at+jwt");

        JwtClaims claims = new JwtConsumerBuilder()
                .setVerificationKeyResolver(new JwksVerificationKeyResolver(
                        new JsonWebKeySet(response.body()).getJsonWebKeys()))
                .setJwsAlgorithmConstraints(ConstraintType.PERMIT, "ES256")
                .setExpectedType(true, "at+jwt")
                .setExpectedIssuer("dynrag")
                .setExpectedAudience("dynrag-api")
                .setRequireExpirationTime()
                .setRequireSubject()
                .build()
                .processToClaims(account.accessToken());
        assertThat(claims.getSubject()).isEqualTo(account.userId());
        assertThat(claims.getStringClaimValue("customer_id")).isEqualTo(account.customerId());
        assertThat(claims.getStringClaimValue("role")).isEqualTo("CUSTOMER");
        assertThat(claims.getJwtId()).isNotBlank();
        assertThat(claims.getExpirationTime().getValue() - claims.getIssuedAt().getValue())
                .isEqualTo(ACCESS_TOKEN_SECONDS);
    }

    @Test
    void rotatingTheSigningKeyKeepsEarlierTokensValid() {
        TestSystem.Account account = system.signUp("Key Rotation");
        String oldKid = JwtParts.header(account.accessToken()).get("kid").asText();
        assertProblem(api.postJson("/v1/admin/signing-keys/rotate", account.accessToken(), "{}"), 403);

        ApiClient.Response rotated = api.postJson("/v1/admin/signing-keys/rotate", system.adminAccessToken(), "{}");

        String newKid = ok(rotated).get("kid").asText();
        assertThat(newKid).isNotBlank().isNotEqualTo(oldKid);
        String fresh = ok(login(api, account.email(), PASSWORD)).get("accessToken").asText();
        assertThat(JwtParts.header(fresh).get("kid").asText()).isEqualTo(newKid);
        assertThat(api.get("/v1/auth/me", account.accessToken()).status()).as("a token of the old key").isEqualTo(200);
        assertThat(api.get("/v1/auth/me", fresh).status()).isEqualTo(200);
        JsonNode keys = api.get("/.well-known/jwks.json", null).json().get("keys");
        assertThat(keys.get(0).get("kid").asText()).as("the current key comes first").isEqualTo(newKid);
        List<String> kids = new ArrayList<>();
        keys.forEach(key -> kids.add(key.get("kid").asText()));
        assertThat(kids).contains(oldKid, newKid);
        assertThat(Set.copyOf(kids)).hasSameSizeAs(kids);
    }

    private ApiClient.Response signup(String email, String password, String company) {
        return api.postJson("/v1/auth/signup", null, Json.object("email", email, "password", password,
                "company", company));
    }

    private static ApiClient.Response login(ApiClient client, String email, String password) {
        return client.postJson("/v1/auth/login", null, Json.object("email", email, "password", password));
    }

    private ApiClient.Response refresh(String refreshToken) {
        return api.postJson("/v1/auth/refresh", null, Json.object("refreshToken", refreshToken));
    }

    private String familyRevocation(String refreshToken) {
        return (String) system.database().rows("""
                SELECT f.revoked_reason FROM command.refresh_family f
                JOIN command.refresh_token t ON t.family_id = f.family_id WHERE t.token_hash = ?""",
                Secrets.sha256Hex(refreshToken)).getFirst().get("revoked_reason");
    }

    private static JsonNode ok(ApiClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }
}
