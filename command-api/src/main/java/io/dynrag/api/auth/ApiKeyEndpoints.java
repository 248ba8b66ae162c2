package io.dynrag.api.auth;

import io.dynrag.api.http.Access;
import io.dynrag.api.http.ApiProblem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** A customer's API keys: create (the secret is shown once), list, revoke. */
public final class ApiKeyEndpoints implements Consumer<RoutesConfig> {

    private static final int MAX_NAME_LENGTH = 100;
    private static final int MAX_KEYS = 100;

    private final Access access;
    private final ApiKeys apiKeys;

    public ApiKeyEndpoints(Access access, ApiKeys apiKeys) {
        this.access = access;
        this.apiKeys = apiKeys;
    }

    public record CreateKeyRequest(String name, List<String> scopes) {
    }

    public record CreatedKey(String keyId, String apiKey, String prefix, String name, List<String> scopes) {
    }

    public record KeyView(String keyId, String name, String prefix, List<String> scopes, Instant createdAt,
                          Instant lastUsedAt) {
    }

    public record KeyList(List<KeyView> keys) {
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.post("/v1/api-keys", this::create);
        routes.get("/v1/api-keys", this::list);
        routes.delete("/v1/api-keys/{keyId}", this::revoke);
    }

    private void create(Context ctx) {
        String customerId = access.customer(ctx, Scope.ADMIN).customerId();
        CreateKeyRequest request = ctx.body().isBlank() ? new CreateKeyRequest(null, null)
                : ctx.bodyAsClass(CreateKeyRequest.class);
        String name = request.name() == null ? "" : request.name().strip();
        if (name.length() > MAX_NAME_LENGTH) {
            throw ApiProblem.badRequest("'name' must be at most " + MAX_NAME_LENGTH + " characters");
        }
        Set<Scope> scopes = scopes(request.scopes());
        if (apiKeys.list(customerId).size() >= MAX_KEYS) {
            throw new ApiProblem(409, "Conflict", "a customer may hold at most " + MAX_KEYS
                    + " API keys; revoke unused ones first");
        }
        ApiKeys.IssuedKey key = apiKeys.issue(customerId, name, scopes);
        ctx.status(201).json(new CreatedKey(key.keyId(), key.secret(), key.prefix(), name, wire(key.scopes())));
    }

    private void list(Context ctx) {
        String customerId = access.customer(ctx, Scope.ADMIN).customerId();
        ctx.json(new KeyList(apiKeys.list(customerId).stream()
                .map(key -> new KeyView(key.keyId(), key.name(), key.prefix(), wire(key.scopes()), key.createdAt(),
                        key.lastUsedAt()))
                .toList()));
    }

    private void revoke(Context ctx) {
        String customerId = access.customer(ctx, Scope.ADMIN).customerId();
        String keyId = ctx.pathParam("keyId");
        if (!apiKeys.revoke(customerId, keyId)) {
            throw ApiProblem.notFound("no API key " + keyId);
        }
        ctx.status(204);
    }

    /** No scopes named means every scope but admin: a key for a machine that ingests and searches. */
    private static Set<Scope> scopes(List<String> names) {
        if (names == null) {
            return EnumSet.of(Scope.INGEST, Scope.SEARCH, Scope.READ);
        }
        if (names.isEmpty()) {
            throw ApiProblem.badRequest("'scopes' must name at least one of ingest, search, read, admin");
        }
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String name : names) {
            scopes.add(Scope.fromWireName(name).orElseThrow(() -> ApiProblem.badRequest(
                    "unknown scope '" + name + "'; scopes are ingest, search, read, admin")));
        }
        return scopes;
    }

    private static List<String> wire(Set<Scope> scopes) {
        return scopes.stream().map(Scope::wireName).sorted().toList();
    }
}
