package io.dynrag.identity.auth;

import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.identity.access.Access;
import io.dynrag.identity.accounts.CustomerAccounts;
import io.dynrag.identity.credentials.ApiKeys;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.idempotency.IdempotentPosts;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A customer's API keys: create (the secret is shown once, optionally with rate limits of the key's
 * own, at most the customer's), list, revoke.
 */
public final class ApiKeyEndpoints implements Consumer<RoutesConfig> {

    private static final int MAX_NAME_LENGTH = 100;
    private static final int MAX_KEYS = 100;
    /** The bounds of a customer's configuration. */
    private static final int MAX_REQUESTS_PER_MINUTE = 1_000_000;
    private static final int MAX_REQUESTS_PER_DAY = 1_000_000_000;

    private final Access access;
    private final ApiKeys apiKeys;
    private final CustomerAccounts accounts;

    public ApiKeyEndpoints(Access access, ApiKeys apiKeys, CustomerAccounts accounts) {
        this.access = access;
        this.apiKeys = apiKeys;
        this.accounts = accounts;
    }

    /** @param requestsPerMinute the key's own limit; null (the default) for the customer's */
    public record CreateKeyRequest(String name, List<String> scopes, Integer requestsPerMinute,
                                   Integer requestsPerDay) {
    }

    public record CreatedKey(String keyId, String apiKey, String prefix, String name, List<String> scopes,
                             Integer requestsPerMinute, Integer requestsPerDay) {
    }

    public record KeyView(String keyId, String name, String prefix, List<String> scopes, Instant createdAt,
                          Instant lastUsedAt, Integer requestsPerMinute, Integer requestsPerDay) {
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
        CreateKeyRequest request = ctx.body().isBlank() ? new CreateKeyRequest(null, null, null, null)
                : ctx.bodyAsClass(CreateKeyRequest.class);
        String name = request.name() == null ? "" : request.name().strip();
        if (name.length() > MAX_NAME_LENGTH) {
            throw ApiProblem.badRequest("'name' must be at most " + MAX_NAME_LENGTH + " characters");
        }
        Set<Scope> scopes = scopes(request.scopes());
        ApiKeys.RequestLimits limits = limits(request);
        requireWithinTheCustomers(customerId, limits);
        String keyId = IdempotentPosts.newIds(ctx).id(0);
        List<ApiKeys.ApiKeyInfo> held = apiKeys.list(customerId);
        boolean issuedBefore = held.stream().anyMatch(existing -> existing.keyId().equals(keyId));
        if (!issuedBefore && held.size() >= MAX_KEYS) {
            throw new ApiProblem(409, "Conflict", "a customer may hold at most " + MAX_KEYS
                    + " API keys; revoke unused ones first");
        }
        // Under an Idempotency-Key, a key this request's earlier attempt stored (its answer lost) gets a new secret.
        ApiKeys.IssuedKey key = apiKeys.issue(customerId, keyId, name, scopes, limits)
                .orElseThrow(() -> new ApiProblem(409, "Conflict", "the API key an earlier attempt of this request "
                        + "created has been revoked since; send a new Idempotency-Key to create another"));
        IdempotentPosts.answerShowingSecret(ctx, 201, created(key, key.secret(), name, limits),
                created(key, null, name, limits));
    }

    private static CreatedKey created(ApiKeys.IssuedKey key, String secret, String name, ApiKeys.RequestLimits limits) {
        return new CreatedKey(key.keyId(), secret, key.prefix(), name, wire(key.scopes()), limits.requestsPerMinute(),
                limits.requestsPerDay());
    }

    private void list(Context ctx) {
        String customerId = access.customer(ctx, Scope.ADMIN).customerId();
        ctx.json(new KeyList(apiKeys.list(customerId).stream()
                .map(key -> new KeyView(key.keyId(), key.name(), key.prefix(), wire(key.scopes()), key.createdAt(),
                        key.lastUsedAt(), key.limits().requestsPerMinute(), key.limits().requestsPerDay()))
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

    private static ApiKeys.RequestLimits limits(CreateKeyRequest request) {
        Integer perMinute = request.requestsPerMinute();
        Integer perDay = request.requestsPerDay();
        if (perMinute != null && (perMinute < 1 || perMinute > MAX_REQUESTS_PER_MINUTE)) {
            throw ApiProblem.badRequest("'requestsPerMinute' must be 1 to " + MAX_REQUESTS_PER_MINUTE
                    + ", or left out for the customer's limit");
        }
        if (perDay != null && (perDay < 1 || perDay > MAX_REQUESTS_PER_DAY)) {
            throw ApiProblem.badRequest("'requestsPerDay' must be 1 to " + MAX_REQUESTS_PER_DAY
                    + ", or left out for the customer's limit");
        }
        if (perMinute != null && perDay != null && perDay < perMinute) {
            throw ApiProblem.badRequest("'requestsPerDay' must be at least 'requestsPerMinute'");
        }
        return new ApiKeys.RequestLimits(perMinute, perDay);
    }

    /** A key holds one machine below its customer, never above it. */
    private void requireWithinTheCustomers(String customerId, ApiKeys.RequestLimits limits) {
        CustomerConfiguration customer = accounts.find(customerId)
                .orElseThrow(() -> ApiProblem.unauthorized("the customer does not exist")).configuration();
        if (limits.requestsPerMinute() != null && limits.requestsPerMinute() > customer.requestsPerMinute()) {
            throw new ApiProblem(422, "Unprocessable Content", "'requestsPerMinute' of a key may be at most its "
                    + "customer's, " + customer.requestsPerMinute());
        }
        if (limits.requestsPerDay() != null && limits.requestsPerDay() > customer.requestsPerDay()) {
            throw new ApiProblem(422, "Unprocessable Content", "'requestsPerDay' of a key may be at most its "
                    + "customer's, " + customer.requestsPerDay());
        }
    }

    private static List<String> wire(Set<Scope> scopes) {
        return scopes.stream().map(Scope::wireName).sorted().toList();
    }
}
