package io.dynrag.identity.access;

import io.dynrag.identity.credentials.Authenticator;
import io.dynrag.identity.credentials.Principal;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.identity.ratelimit.RateLimitState;
import io.dynrag.identity.ratelimit.RateLimits;
import io.dynrag.platform.http.AccessLog;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.idempotency.IdempotentPosts;
import io.dynrag.platform.origin.CurrentOrigin;
import io.javalin.http.Context;

import java.util.Optional;

/**
 * What each endpoint requires of the caller, checked before it touches anything. Credentials are
 * resolved on first use, so public endpoints never look at them. Resolving a customer's credential
 * also counts the request against the customer's (and the API key's) rate limits and answers the
 * {@code RateLimit-*} headers; admins are not limited. This is where rate limits are enforced: every
 * request that resolves a customer's credential passes here, the HTTP server itself knows nothing of them.
 */
public final class Access {

    private static final String PRINCIPAL = "dynrag.principal";

    private final Authenticator authenticator;
    private final RateLimits rateLimits;

    public Access(Authenticator authenticator, RateLimits rateLimits) {
        this.authenticator = authenticator;
        this.rateLimits = rateLimits;
    }

    /** A caller acting for one customer. */
    public record CustomerCaller(String customerId, Principal principal) {
    }

    /**
     * A signed-in user of the customer, or an API key that has {@code scope}.
     *
     * @throws ApiProblem 403 for an admin or a key without the scope; without a valid credential as
     *                    {@link #principal}
     */
    public CustomerCaller customer(Context ctx, Scope scope) {
        return customer(principal(ctx), scope);
    }

    /**
     * The same check of a caller authenticated before ({@link #principal}), for a request that asks for more than
     * one thing, each with its own scope (an MCP request's tool call).
     */
    public static CustomerCaller customer(Principal principal, Scope scope) {
        return switch (principal) {
            case Principal.CustomerUser user -> new CustomerCaller(user.customerId(), user);
            case Principal.CustomerKey key when key.scopes().contains(scope) -> new CustomerCaller(key.customerId(), key);
            case Principal.CustomerKey key -> throw ApiProblem.forbidden(
                    "this API key lacks the '" + scope.wireName() + "' scope");
            case Principal.Admin admin -> throw ApiProblem.forbidden(
                    "this endpoint acts on a customer's data: call it with the customer's credentials");
        };
    }

    /** A signed-in user of the customer (not an API key): for managing the account itself. */
    public Principal.CustomerUser customerUser(Context ctx) {
        return switch (principal(ctx)) {
            case Principal.CustomerUser user -> user;
            case Principal.CustomerKey key -> throw ApiProblem.forbidden("this endpoint needs a signed-in user, not an API key");
            case Principal.Admin admin -> throw ApiProblem.forbidden("this endpoint needs a customer's signed-in user");
        };
    }

    public Principal.Admin admin(Context ctx) {
        if (principal(ctx) instanceof Principal.Admin admin) {
            return admin;
        }
        throw ApiProblem.forbidden("this endpoint needs the admin role");
    }

    /** The caller, if this request has already been authenticated; never authenticates itself. */
    public Optional<Principal> authenticated(Context ctx) {
        return Optional.ofNullable(ctx.attribute(PRINCIPAL));
    }

    /**
     * @throws ApiProblem 429 when a customer's rate limit is used up (then nothing else of the request runs), and
     *                    {@link Authenticator#authenticate}'s refusals
     */
    public Principal principal(Context ctx) {
        Principal cached = ctx.attribute(PRINCIPAL);
        if (cached != null) {
            return cached;
        }
        Principal principal = authenticator.authenticate(ctx.header("Authorization"), ctx.header("X-API-Key"));
        if (!(principal instanceof Principal.Admin)) {
            RateLimitState state = withHeaders(ctx, rateLimits.take(customerIdOf(principal), keyIdOf(principal)));
            if (state.refused()) {
                throw new ApiProblem(429, "Too Many Requests", state.refusal());
            }
        }
        remember(ctx, principal);
        return principal;
    }

    /**
     * The customer caller's rate limits as they stand; looking does not count as a request, so it
     * answers even when the limits are used up.
     *
     * @throws ApiProblem 403 for an admin (who has no limits); without a valid credential as
     *                    {@link Authenticator#authenticate}
     */
    public RateLimitState rateLimits(Context ctx) {
        Principal principal = authenticated(ctx).orElseGet(() -> {
            Principal resolved = authenticator.authenticate(ctx.header("Authorization"), ctx.header("X-API-Key"));
            remember(ctx, resolved);
            return resolved;
        });
        if (principal instanceof Principal.Admin) {
            throw ApiProblem.forbidden("admins and the operator token have no rate limits; call this with a "
                    + "customer's credentials");
        }
        return withHeaders(ctx, rateLimits.peek(customerIdOf(principal), keyIdOf(principal)));
    }

    /**
     * The caller of a request with an Idempotency-Key, authenticated and counted like any other: customers share
     * keys across their users and API keys, an admin's are the admin's own; whether a retry matches still
     * depends on the credential.
     */
    public IdempotentPosts.Caller idempotencyCaller(Context ctx) {
        return idempotencyCaller(principal(ctx));
    }

    /** Whose keys a caller's are, for a key that came with a request already authenticated (an MCP tool call's). */
    public static IdempotentPosts.Caller idempotencyCaller(Principal caller) {
        String scope = switch (caller) {
            case Principal.CustomerUser user -> "customer:" + user.customerId();
            case Principal.CustomerKey key -> "customer:" + key.customerId();
            case Principal.Admin admin -> admin.actor();
        };
        return new IdempotentPosts.Caller(scope, caller.actor());
    }

    /**
     * Counts one more request of a caller admitted before, for an answer that stays open (a stream
     * costs a request for each further minute).
     *
     * @return false when a window is used up (nothing was counted), the customer is no longer active or
     * the key was revoked
     */
    public boolean countAgain(CustomerCaller caller) {
        return rateLimits.take(caller.customerId(), keyIdOf(caller.principal()))
                .map(state -> !state.refused())
                .orElse(false);
    }

    /** The caller is also who the request's commands are recorded as issued by. */
    private static void remember(Context ctx, Principal principal) {
        ctx.attribute(PRINCIPAL, principal);
        CurrentOrigin.actAs(principal.actor());
        if (!(principal instanceof Principal.Admin)) {
            AccessLog.customer(customerIdOf(principal));
        }
    }

    private static RateLimitState withHeaders(Context ctx, Optional<RateLimitState> checked) {
        RateLimitState state = checked.orElseThrow(() -> ApiProblem.unauthorized(
                "the credential was revoked or its customer is no longer active"));
        state.headers().forEach(ctx::header);
        return state;
    }

    private static String customerIdOf(Principal principal) {
        return switch (principal) {
            case Principal.CustomerUser user -> user.customerId();
            case Principal.CustomerKey key -> key.customerId();
            case Principal.Admin admin -> throw new IllegalArgumentException("an admin has no customer");
        };
    }

    private static String keyIdOf(Principal principal) {
        return principal instanceof Principal.CustomerKey key ? key.keyId() : null;
    }
}
