package io.dynrag.identity.auth;

import io.dynrag.domain.customer.CustomerStatus;
import io.dynrag.identity.access.Access;
import io.dynrag.identity.accounts.CustomerAccount;
import io.dynrag.identity.accounts.CustomerAccounts;
import io.dynrag.identity.accounts.CustomerRegistration;
import io.dynrag.identity.credentials.Principal;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.identity.passwords.LoginThrottle;
import io.dynrag.identity.passwords.PasswordHasher;
import io.dynrag.identity.passwords.PasswordPolicy;
import io.dynrag.identity.passwords.WeakPasswordException;
import io.dynrag.identity.tokens.AccessClaims;
import io.dynrag.identity.tokens.AccessTokens;
import io.dynrag.identity.tokens.InvalidRefreshTokenException;
import io.dynrag.identity.tokens.RefreshTokenReusedException;
import io.dynrag.identity.tokens.RefreshTokens;
import io.dynrag.identity.tokens.SigningKeys;
import io.dynrag.identity.tokens.TokenSettings;
import io.dynrag.identity.users.EmailAlreadyRegisteredException;
import io.dynrag.identity.users.Emails;
import io.dynrag.identity.users.InvalidEmailException;
import io.dynrag.identity.users.Role;
import io.dynrag.identity.users.UserAccount;
import io.dynrag.identity.users.UserAccounts;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.http.ClientAddress;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Sign-up, sign-in with email and password, refresh-token rotation, sign-out, and the public keys
 * that verify our access tokens.
 *
 * <p>A sign-up answers the same whether or not the email already has an account, and hands out no tokens:
 * the new user signs in next. So the answer does not tell whether an email is registered; only signing in
 * with the password just chosen does, and failed sign-ins are throttled ({@link LoginThrottle}), as sign-ups
 * are, per client address.
 */
public final class AuthEndpoints implements Consumer<RoutesConfig> {

    private static final Logger log = LoggerFactory.getLogger(AuthEndpoints.class);
    private static final String LOGIN_FAILED = "the email or password is wrong";
    private static final String SIGN_IN_NEXT = "sign in with this email and password at POST /v1/auth/login";

    private final Access access;
    private final CustomerRegistration registration;
    private final CustomerAccounts accounts;
    private final UserAccounts users;
    private final PasswordHasher passwords;
    private final LoginThrottle throttle;
    private final AccessTokens accessTokens;
    private final RefreshTokens refreshTokens;
    private final SigningKeys signingKeys;
    private final TokenSettings tokenSettings;
    private final Clock clock;

    public AuthEndpoints(Access access, CustomerRegistration registration, CustomerAccounts accounts,
                         UserAccounts users, PasswordHasher passwords, LoginThrottle throttle,
                         AccessTokens accessTokens, RefreshTokens refreshTokens, SigningKeys signingKeys,
                         TokenSettings tokenSettings, Clock clock) {
        this.access = access;
        this.registration = registration;
        this.accounts = accounts;
        this.users = users;
        this.passwords = passwords;
        this.throttle = throttle;
        this.accessTokens = accessTokens;
        this.refreshTokens = refreshTokens;
        this.signingKeys = signingKeys;
        this.tokenSettings = tokenSettings;
        this.clock = clock;
    }

    public record SignupRequest(String email, String password, String company) {
    }

    public record LoginRequest(String email, String password) {
    }

    public record RefreshRequest(String refreshToken) {
    }

    /** The same for a new account and for an email that already had one. */
    public record SignupAccepted(String email, String detail) {
    }

    /** The OAuth 2.0 token response shape, so standard clients understand it. */
    public record Tokens(String accessToken, String tokenType, long expiresIn, String refreshToken,
                         String customerId, String userId) {
    }

    public record Me(String kind, String userId, String customerId, String email, String company, String role,
                     String status, String keyId, List<String> scopes) {
    }

    /**
     * Where the routes that issue, rotate and revoke sign-in credentials live. None of them takes an
     * Idempotency-Key: a kept answer would hand out tokens again, and a repeated refresh must be seen as reuse.
     */
    public static final String CREDENTIAL_PATHS = "/v1/auth/";

    @Override
    public void accept(RoutesConfig routes) {
        routes.post("/v1/auth/signup", this::signup);
        routes.post("/v1/auth/login", this::login);
        routes.post("/v1/auth/refresh", this::refresh);
        routes.post("/v1/auth/logout", this::logout);
        routes.get("/v1/auth/me", this::me);
        routes.get("/.well-known/jwks.json", this::jwks);
        routes.post("/v1/admin/signing-keys/rotate", this::rotateSigningKey);
    }

    public record RotatedKey(String kid) {
    }

    private void rotateSigningKey(Context ctx) {
        access.admin(ctx);
        ctx.json(new RotatedKey(signingKeys.rotate()));
    }

    private void signup(Context ctx) {
        InetAddress client = ClientAddress.of(ctx);
        throttle.signUpRetryAfter(client).ifPresent(wait -> {
            throw tooManyAttempts(ctx, wait, "too many sign-ups from this address");
        });
        SignupRequest request = ctx.bodyAsClass(SignupRequest.class);
        String email = email(request.email());
        try {
            PasswordPolicy.check(request.password());
        } catch (WeakPasswordException e) {
            throw ApiProblem.badRequest(e.getMessage());
        }
        // Counted before the work, and whatever its outcome, so the count says nothing about the email.
        throttle.recordSignUp(client);
        // Hashed either way, and the registration runs until the email is found taken (then rolls back), so both
        // outcomes take about as long.
        String passwordHash = passwords.hash(request.password());
        try {
            registration.register(UUID.randomUUID().toString(), request.company(), email,
                    customerId -> users.create(customerId, email, passwordHash, Role.CUSTOMER));
        } catch (EmailAlreadyRegisteredException e) {
            // Answered like a new account: its owner signs in as before, anyone else's password fails there.
        }
        ctx.status(202).json(new SignupAccepted(email, SIGN_IN_NEXT));
    }

    private void login(Context ctx) {
        LoginRequest request = ctx.bodyAsClass(LoginRequest.class);
        if (request.email() == null || request.password() == null) {
            throw ApiProblem.badRequest("send a JSON object with 'email' and 'password'");
        }
        String email = email(request.email());
        InetAddress client = ClientAddress.of(ctx);
        throttle.signInRetryAfter(email, client).ifPresent(wait -> {
            throw tooManyAttempts(ctx, wait, "too many failed sign-ins");
        });
        Optional<UserAccount> user = users.findByEmail(email);
        boolean valid = user.isPresent()
                ? passwords.verify(request.password(), user.get().passwordHash())
                : burn(request.password());
        if (!valid) {
            throttle.recordSignInFailure(email, client);
            throw ApiProblem.unauthorized(LOGIN_FAILED);
        }
        throttle.recordSignInSuccess(email, client);
        if (passwords.needsRehash(user.get().passwordHash())) {
            users.updatePasswordHash(user.get().userId(), passwords.hash(request.password()));
        }
        ctx.json(tokensFor(user.get()));
    }

    /** 429 with Retry-After, rounded up so a client that waits as told is not refused again. */
    private static ApiProblem tooManyAttempts(Context ctx, Duration wait, String what) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        ctx.header("Retry-After", Long.toString(seconds));
        return new ApiProblem(429, "Too Many Requests", what + "; try again in " + seconds + " seconds");
    }

    private boolean burn(String password) {
        passwords.burnEquivalentTime(password);
        return false;
    }

    private void refresh(Context ctx) {
        RefreshRequest request = ctx.bodyAsClass(RefreshRequest.class);
        if (request.refreshToken() == null || request.refreshToken().isBlank()) {
            throw ApiProblem.badRequest("send a JSON object with the 'refreshToken'");
        }
        String presented = request.refreshToken().strip();
        // Checked before the rotation, which would use the token up even though no successor reaches the client.
        refreshTokens.userOf(presented).flatMap(users::findById).ifPresent(this::requireActive);
        RefreshTokens.Rotation rotation;
        try {
            rotation = refreshTokens.rotate(presented);
        } catch (RefreshTokenReusedException e) {
            log.warn("A used refresh token was presented again; its whole family is revoked");
            throw ApiProblem.unauthorized("this refresh token was already used; every session of this sign-in "
                    + "is revoked, sign in again");
        } catch (InvalidRefreshTokenException e) {
            throw ApiProblem.unauthorized("the refresh token is invalid, expired or revoked; sign in again");
        }
        UserAccount user = users.findById(rotation.userId())
                .orElseThrow(() -> ApiProblem.unauthorized("the account no longer exists"));
        ctx.json(new Tokens(accessToken(user), "Bearer", tokenSettings.accessTokenLifetime().toSeconds(),
                rotation.token(), user.customerId(), user.userId()));
    }

    private void logout(Context ctx) {
        RefreshRequest request = ctx.bodyAsClass(RefreshRequest.class);
        if (request.refreshToken() == null || request.refreshToken().isBlank()) {
            throw ApiProblem.badRequest("send a JSON object with the 'refreshToken' to revoke");
        }
        refreshTokens.revoke(request.refreshToken().strip());
        ctx.status(204);
    }

    private void me(Context ctx) {
        Me me = switch (access.principal(ctx)) {
            case Principal.Admin admin -> users.findById(admin.subject())
                    .map(user -> new Me("user", user.userId(), null, user.email(), null, Role.ADMIN.name(), null,
                            null, null))
                    .orElseGet(() -> new Me("operator-token", null, null, null, null, Role.ADMIN.name(), null, null,
                            null));
            case Principal.CustomerUser user -> {
                UserAccount account = users.findById(user.userId())
                        .orElseThrow(() -> ApiProblem.unauthorized("the account no longer exists"));
                CustomerAccount customer = accounts.find(user.customerId()).orElseThrow();
                yield new Me("user", account.userId(), account.customerId(), account.email(),
                        registration.company(customer).orElse(null), Role.CUSTOMER.name(), customer.status().name(),
                        null, null);
            }
            case Principal.CustomerKey key -> new Me("api-key", null, key.customerId(), null, null, null,
                    CustomerStatus.ACTIVE.name(), key.keyId(),
                    key.scopes().stream().map(Scope::wireName).sorted().toList());
        };
        ctx.json(me);
    }

    private void jwks(Context ctx) {
        ctx.header("Cache-Control", "public, max-age=300");
        ctx.contentType("application/jwk-set+json").result(signingKeys.jwksJson());
    }

    private Tokens tokensFor(UserAccount user) {
        requireActive(user);
        RefreshTokens.IssuedRefreshToken refresh = refreshTokens.issue(user.userId());
        return new Tokens(accessToken(user), "Bearer", tokenSettings.accessTokenLifetime().toSeconds(),
                refresh.token(), user.customerId(), user.userId());
    }

    private String accessToken(UserAccount user) {
        requireActive(user);
        Instant now = clock.instant();
        return accessTokens.issue(new AccessClaims(user.userId(), user.customerId(), user.role(), now,
                now.plus(tokenSettings.accessTokenLifetime())));
    }

    private void requireActive(UserAccount user) {
        if (user.customerId() == null) {
            return;
        }
        CustomerStatus status = accounts.find(user.customerId()).map(CustomerAccount::status)
                .orElse(CustomerStatus.DELETED);
        if (status == CustomerStatus.SUSPENDED) {
            throw ApiProblem.forbidden("the customer account is suspended; contact the operator");
        }
        if (status == CustomerStatus.DELETED) {
            throw ApiProblem.unauthorized(LOGIN_FAILED);
        }
    }

    private static String email(String raw) {
        try {
            return Emails.normalise(raw);
        } catch (InvalidEmailException e) {
            throw ApiProblem.badRequest(e.getMessage());
        }
    }
}
