package io.dynrag.api.http;

import io.dynrag.api.auth.Authenticator;
import io.dynrag.api.auth.Principal;
import io.dynrag.api.auth.Scope;
import io.javalin.http.Context;

/**
 * What each endpoint requires of the caller, checked before it touches anything. Credentials are
 * resolved on first use, so public endpoints never look at them.
 */
public final class Access {

    private static final String PRINCIPAL = "dynrag.principal";

    private final Authenticator authenticator;

    public Access(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    /** A caller acting for one customer. */
    public record CustomerCaller(String customerId, Principal principal) {
    }

    /**
     * A signed-in user of the customer, or an API key that has {@code scope}.
     *
     * @throws ApiProblem 401 without a valid credential, 403 for an admin or a key without the scope
     */
    public CustomerCaller customer(Context ctx, Scope scope) {
        return switch (principal(ctx)) {
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

    public Principal principal(Context ctx) {
        Principal cached = ctx.attribute(PRINCIPAL);
        if (cached != null) {
            return cached;
        }
        Principal principal = authenticator.authenticate(ctx.header("Authorization"), ctx.header("X-API-Key"));
        ctx.attribute(PRINCIPAL, principal);
        return principal;
    }
}
