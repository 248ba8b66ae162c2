package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.platform.crypto.Secrets;
import org.jose4j.jwa.AlgorithmConstraints.ConstraintType;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static io.dynrag.app.e2e.TestSystem.PASSWORD;
import static io.dynrag.app.e2e.TestSystem.assertProblem;
import static io.dynrag.app.e2e.TestSystem.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Accounts over HTTP: sign-up (which does not tell whether an email is taken) and its throttle, sign-in and its
 * throttle by client address (behind a trusted proxy too), refresh-token rotation with reuse detection,
 * sign-out, who-am-I, the published verification keys and their rotation.
 */
@Tag("e2e")
class AccountFlowsTest {

    private static final long ACCESS_TOKEN_SECONDS = Duration.ofMinutes(15).toSeconds();
    /** Starts at random, so a second run against the same database meets no counters of the first. */
    private static final AtomicInteger FORWARDED_CLIENTS = new AtomicInteger(new Random().nextInt(100_000));

    private final TestSystem system = TestSystem.shared();
    private final ApiClient api = system.api();

    @Test
    void signingUpCreatesACustomerWhoseFirstUserThenSignsIn() {
        String email = uniqueEmail("Ada.Lovelace");
        ApiClient client = system.apiFromNewAddress();

        ApiClient.Response signup = signup(client, email, PASSWORD, "Analytical Engines Ltd");

        assertThat(signup.status()).as(signup.body()).isEqualTo(202);
        List<String> fields = new ArrayList<>();
        signup.json().fieldNames().forEachRemaining(fields::add);
        assertThat(fields).as("no tokens: the new user signs in next").containsExactly("email", "detail");
        assertThat(signup.json().get("email").asText()).isEqualTo(email.toLowerCase(Locale.ROOT));
        JsonNode tokens = ok(login(client, email, PASSWORD));
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

        JsonNode login = ok(login(client, email.toUpperCase(Locale.ROOT), PASSWORD));
        assertThat(login.get("customerId").asText()).isEqualTo(customerId);
        assertThat(login.get("userId").asText()).isEqualTo(userId);
        assertThat(login.get("expiresIn").asLong()).isEqualTo(ACCESS_TOKEN_SECONDS);
        assertThat(login.get("refreshToken").asText()).isNotEqualTo(tokens.get("refreshToken").asText());
        assertThat(api.get("/v1/auth/me", login.get("accessToken").asText()).status()).isEqualTo(200);
    }

    @Test
    void signupRefusesAWeakPasswordAndAnInvalidEmailAndStoresNothing() {
        Database database = system.database();
        String countCustomers =
                "SELECT count(*) FROM command.domain_event_entry WHERE payload_type LIKE '%CustomerRegistered'";
        long customers = database.count(countCustomers);
        long users = database.count("SELECT count(*) FROM command.user_account");
        long dataKeys = database.count("SELECT count(*) FROM command.customer_data_key");

        ApiClient.Response weak = signup(uniqueEmail("weak"), "too short", "Weakling");
        assertProblem(weak, 400);
        assertThat(weak.json().get("detail").asText()).contains("12");
        assertProblem(signup(uniqueEmail("spaces"), " ".repeat(20), "Spaces"), 400);
        ApiClient careless = system.apiFromNewAddress().outsideContract();
        assertProblem(signup(careless, uniqueEmail("nopassword"), null, "No Password"), 400);
        assertProblem(signup("not-an-email", PASSWORD, "Invalid"), 400);
        assertProblem(signup("two@@example.test", PASSWORD, "Invalid"), 400);
        assertProblem(signup(careless, null, PASSWORD, "Invalid"), 400);
        assertProblem(signup(careless, uniqueEmail("nocompany"), PASSWORD, null), 400);
        assertProblem(signup(uniqueEmail("longcompany"), PASSWORD, "x".repeat(201)), 400);
        assertProblem(careless.postJson("/v1/auth/signup", null, Json.object("email", uniqueEmail("admin"),
                "password", PASSWORD, "company", "Escalation", "role", "ADMIN")), 400);
        assertProblem(careless.postJson("/v1/auth/signup", null, "{\"email\": "), 400);
        assertProblem(careless.postJson("/v1/auth/signup", null, "\"just a string\""), 400);
        assertProblem(careless.postJson("/v1/auth/signup", null, "null"), 400);

        assertThat(database.count(countCustomers)).isEqualTo(customers);
        assertThat(database.count("SELECT count(*) FROM command.user_account")).isEqualTo(users);
        assertThat(database.count("SELECT count(*) FROM command.customer_data_key")).isEqualTo(dataKeys);
    }

    @Test
    void signupAnswersAlikeWhetherOrNotTheEmailIsTakenAndChangesNothingForATakenOne() {
        TestSystem.Account owner = system.signUp("Original Owner");
        Database database = system.database();
        long users = database.count("SELECT count(*) FROM command.user_account");
        long dataKeys = database.count("SELECT count(*) FROM command.customer_data_key");
        ApiClient prober = system.apiFromNewAddress();
        String attackersPassword = "the prober's own passphrase";

        ApiClient.Response taken = signup(prober, owner.email().toUpperCase(Locale.ROOT), attackersPassword, "Copycat");
        assertThat(database.count("SELECT count(*) FROM command.user_account")).isEqualTo(users);
        assertThat(database.count("SELECT count(*) FROM command.customer_data_key")).isEqualTo(dataKeys);
        String freshEmail = uniqueEmail("fresh");
        ApiClient.Response free = signup(prober, freshEmail.toUpperCase(Locale.ROOT), attackersPassword, "Copycat");

        assertThat(taken.status()).as(taken.body()).isEqualTo(202);
        assertThat(free.status()).as(free.body()).isEqualTo(202);
        assertThat(taken.contentType()).isEqualTo(free.contentType());
        assertThat(taken.json().get("detail")).isEqualTo(free.json().get("detail"));
        assertThat(taken.body().replace(owner.email(), "<email>"))
                .isEqualTo(free.body().replace(freshEmail, "<email>"));
        assertThat(headerNames(taken)).isEqualTo(headerNames(free));

        // The one tell there is without e-mail verification: the prober's password signs in only where it was new.
        assertThat(login(prober, freshEmail, attackersPassword).status()).isEqualTo(200);
        assertProblem(login(prober, owner.email(), attackersPassword), 401);
        JsonNode ownersSession = ok(login(system.apiFromNewAddress(), owner.email(), PASSWORD));
        assertThat(ownersSession.get("customerId").asText()).as("the account is the owner's as before")
                .isEqualTo(owner.customerId());
    }

    @Test
    void signupsAreThrottledPerClientAddressWhetherOrNotTheEmailIsTaken() {
        TestSystem.Account existing = system.signUp("Taken Already");
        ApiClient prober = system.apiFromNewAddress();
        // Five are free; the sixth locks the next, whatever the emails were.
        for (int attempt = 1; attempt <= 6; attempt++) {
            String email = attempt % 2 == 0 ? existing.email() : uniqueEmail("probe" + attempt);
            assertThat(signup(prober, email, PASSWORD, "Probe " + attempt).status()).isEqualTo(202);
        }

        for (String email : List.of(existing.email(), uniqueEmail("probe7"))) {
            ApiClient.Response refused = signup(prober, email, PASSWORD, "Probe 7");
            assertProblem(refused, 429);
            assertThat(refused.header("Retry-After")).hasValueSatisfying(
                    seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 2));
            assertThat(refused.json().get("detail").asText()).contains("sign-ups from this address");
        }
        String unrefused = uniqueEmail("elsewhere");
        assertThat(signup(system.apiFromNewAddress(), unrefused, PASSWORD, "Elsewhere").status())
                .as("another address").isEqualTo(202);
        assertThat(system.database().count("SELECT count(*) FROM command.user_account WHERE email = ?",
                unrefused.toLowerCase(Locale.ROOT))).isEqualTo(1);
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
    void theOwnerSignsInFromAFreshAddressWhileTheAttackerIsLockedOut() {
        TestSystem.Account account = system.signUp("Throttled Email");
        ApiClient attacker = system.apiFromNewAddress();
        for (int attempt = 1; attempt <= 6; attempt++) {
            assertProblem(login(attacker, account.email(), "wrong guess " + attempt), 401);
        }

        ApiClient.Response locked = login(attacker, account.email(), PASSWORD);
        ApiClient.Response owner = login(system.apiFromNewAddress(), account.email(), PASSWORD);

        assertProblem(locked, 429);
        assertThat(locked.header("Retry-After")).hasValueSatisfying(
                seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 2));
        assertThat(owner.status()).as("the owner, at an address never used before: " + owner.body()).isEqualTo(200);
        // A back-off, not a lock-out: once it has passed, the right password signs in even from there.
        await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(500))
                .until(() -> login(attacker, account.email(), PASSWORD).status() == 200);
    }

    @Test
    void aForgedForwardedForChangesNothingForAClientThatIsNoTrustedProxy() {
        TestSystem.Account account = system.signUp("Forged Forwarding");
        ApiClient attacker = system.apiFromNewAddress();
        for (int attempt = 1; attempt <= 6; attempt++) {
            String forged = documentationAddress();
            assertProblem(loginForwardedFor(attacker, account.email(), "wrong guess " + attempt, forged), 401);
        }

        ApiClient.Response locked = loginForwardedFor(attacker, account.email(), PASSWORD, documentationAddress());

        assertProblem(locked, 429);
        assertThat(login(system.apiFromNewAddress(), account.email(), PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void behindTheTrustedProxyEachForwardedClientIsThrottledApart() {
        TestSystem.Account account = system.signUp("Behind A Proxy");
        ApiClient proxy = system.api();
        String attacker = documentationAddress();
        String owner = documentationAddress();
        for (int attempt = 1; attempt <= 6; attempt++) {
            assertProblem(loginForwardedFor(proxy, account.email(), "wrong guess " + attempt, attacker), 401);
        }

        assertProblem(loginForwardedFor(proxy, account.email(), PASSWORD, attacker), 429);
        assertProblem(loginForwardedFor(proxy, account.email(), PASSWORD, owner + ", " + attacker), 429);
        assertThat(loginForwardedFor(proxy, account.email(), PASSWORD, owner).status())
                .as("another client of the same proxy").isEqualTo(200);
        assertThat(loginForwardedFor(proxy, account.email(), PASSWORD, attacker + ", " + owner).status())
                .as("the proxy appends the client's address; what the client wrote stands to its left").isEqualTo(200);
        assertThat(login(proxy, account.email(), PASSWORD).status()).as("the proxy's own requests").isEqualTo(200);
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
        ApiClient careless = api.outsideContract();
        assertProblem(careless.postJson("/v1/auth/refresh", null, Json.object("refreshToken", null)), 400);
        assertProblem(careless.postJson("/v1/auth/refresh", null, Json.object("refreshToken", account.refreshToken(),
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
        assertProblem(api.outsideContract().postJson("/v1/auth/logout", null, "{}"), 400);
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
        assertProblem(api.postJson("/v1/admin/signing-keys/rotate", account.accessToken(), null), 403);

        ApiClient.Response rotated = api.postJson("/v1/admin/signing-keys/rotate", system.adminAccessToken(), null);

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

    /** From an address of its own: sign-ups are throttled per address. */
    private ApiClient.Response signup(String email, String password, String company) {
        return signup(system.apiFromNewAddress(), email, password, company);
    }

    private static ApiClient.Response signup(ApiClient client, String email, String password, String company) {
        return client.postJson("/v1/auth/signup", null, Json.object("email", email, "password", password,
                "company", company));
    }

    private static ApiClient.Response loginForwardedFor(ApiClient client, String email, String password,
                                                        String forwardedFor) {
        return client.send("POST", "/v1/auth/login", Map.of("X-Forwarded-For", forwardedFor),
                Json.object("email", email, "password", password));
    }

    /** An address of 198.18.0.0/15 (for tests) no other test uses, as a client behind the proxy. */
    private static String documentationAddress() {
        int n = FORWARDED_CLIENTS.incrementAndGet();
        return "198." + (18 + n / 65_536 % 2) + "." + n / 256 % 256 + "." + n % 256;
    }

    private static List<String> headerNames(ApiClient.Response response) {
        return response.headers().map().keySet().stream().map(name -> name.toLowerCase(Locale.ROOT)).sorted()
                .toList();
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
