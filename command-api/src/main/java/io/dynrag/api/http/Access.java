package io.dynrag.api.http;

import io.dynrag.api.auth.Principal;
import io.javalin.http.Context;

/** What each endpoint requires of the caller, checked before it touches anything. */
public final class Access {

    static final String PRINCIPAL = "dynrag.principal";

    private Access() {
    }

    public static Principal.CustomerKey customer(Context ctx) {
        Principal principal = authenticated(ctx);
        if (principal instanceof Principal.CustomerKey key) {
            return key;
        }
        throw ApiProblem.forbidden("this endpoint acts on a customer's data: call it with the customer's API key");
    }

    public static Principal.Admin admin(Context ctx) {
        Principal principal = authenticated(ctx);
        if (principal instanceof Principal.Admin admin) {
            return admin;
        }
        throw ApiProblem.forbidden("this endpoint needs the admin role");
    }

    private static Principal authenticated(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL);
        if (principal == null) {
            throw ApiProblem.unauthorized("send 'Authorization: Bearer <API key>'; the key is missing, unknown or revoked");
        }
        return principal;
    }
}
