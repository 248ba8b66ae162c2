package io.dynrag.api.customer;

import io.dynrag.api.auth.ApiKeys;
import io.dynrag.api.auth.Scope;
import io.dynrag.api.http.Ids;
import io.dynrag.api.http.Access;
import io.dynrag.api.http.ApiProblem;
import io.dynrag.api.http.QueryParameters;
import io.dynrag.api.idempotency.IdempotentPosts;
import io.dynrag.api.idempotency.NewIds;
import io.dynrag.domain.customer.CustomerStatus;
import io.dynrag.domain.customer.ReactivateCustomer;
import io.dynrag.domain.customer.SuspendCustomer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import org.axonframework.commandhandling.gateway.CommandGateway;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Consumer;

/** Operator endpoints: create, list, suspend, reactivate and delete customers. */
public final class CustomerEndpoints implements Consumer<RoutesConfig> {

    private static final int DEFAULT_PAGE = 50;
    private static final int MAX_PAGE = 500;

    private final Access access;
    private final CommandGateway commands;
    private final CustomerRegistration registration;
    private final CustomerAccounts accounts;
    private final CustomerDeletion deletion;
    private final ApiKeys apiKeys;

    public CustomerEndpoints(Access access, CommandGateway commands, CustomerRegistration registration,
                             CustomerAccounts accounts, CustomerDeletion deletion, ApiKeys apiKeys) {
        this.access = access;
        this.commands = commands;
        this.registration = registration;
        this.accounts = accounts;
        this.deletion = deletion;
        this.apiKeys = apiKeys;
    }

    public record RegisterCustomerRequest(String name) {
    }

    public record CustomerRegisteredResponse(String customerId, String apiKey) {
    }

    public record SuspendRequest(String reason) {
    }

    /** @param company null once the customer is deleted (its data key is destroyed) */
    public record CustomerView(String customerId, String company, String status, int documentCount,
                               Instant registeredAt, Instant updatedAt) {
    }

    public record CustomerPage(List<CustomerView> customers, String next) {
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.post("/v1/admin/customers", this::register);
        routes.get("/v1/admin/customers", this::list);
        routes.get("/v1/admin/customers/{customerId}", this::get);
        routes.post("/v1/admin/customers/{customerId}/suspend", this::suspend);
        routes.post("/v1/admin/customers/{customerId}/reactivate", this::reactivate);
        routes.delete("/v1/admin/customers/{customerId}", this::delete);
    }

    private void register(Context ctx) {
        access.admin(ctx);
        RegisterCustomerRequest request = ctx.bodyAsClass(RegisterCustomerRequest.class);
        if (request.name() == null) {
            throw ApiProblem.badRequest("send a JSON object with the customer's 'name'");
        }
        NewIds ids = IdempotentPosts.newIds(ctx);
        String customerId = ids.id(0);
        String keyId = ids.id(1);
        if (ids.repeatable() && accounts.find(customerId).isPresent()) {
            // An earlier attempt of this very request registered the customer and died before its answer was
            // kept: the first key's secret, shown only there, is lost, so that key gets a new one.
            answerRegistered(ctx, customerId, initialKey(customerId, keyId));
            return;
        }
        ApiKeys.IssuedKey[] key = new ApiKeys.IssuedKey[1];
        registration.register(customerId, request.name(), null, id -> key[0] = initialKey(id, keyId));
        answerRegistered(ctx, customerId, key[0]);
    }

    private static void answerRegistered(Context ctx, String customerId, ApiKeys.IssuedKey key) {
        IdempotentPosts.answerShowingSecret(ctx, 201, new CustomerRegisteredResponse(customerId, key.secret()),
                new CustomerRegisteredResponse(customerId, null));
    }

    private ApiKeys.IssuedKey initialKey(String customerId, String keyId) {
        return apiKeys.issue(customerId, keyId, "initial", EnumSet.allOf(Scope.class), ApiKeys.RequestLimits.CUSTOMERS)
                .orElseThrow(() -> new ApiProblem(409, "Conflict", "the customer's first API key, created by an "
                        + "earlier attempt of this request, has been revoked since; issue a new key for customer "
                        + customerId));
    }

    private void list(Context ctx) {
        access.admin(ctx);
        int limit = QueryParameters.limit(ctx, DEFAULT_PAGE, MAX_PAGE);
        List<CustomerView> page = accounts.list(ctx.queryParam("after"), limit).stream().map(this::view).toList();
        String next = page.size() == limit ? page.getLast().customerId() : null;
        ctx.json(new CustomerPage(page, next));
    }

    private void get(Context ctx) {
        access.admin(ctx);
        ctx.json(view(existing(ctx.pathParam("customerId"))));
    }

    private void suspend(Context ctx) {
        access.admin(ctx);
        CustomerAccount account = existing(ctx.pathParam("customerId"));
        String reason = ctx.body().isBlank() ? null : ctx.bodyAsClass(SuspendRequest.class).reason();
        commands.sendAndWait(new SuspendCustomer(account.customerId(), reason));
        ctx.json(view(existing(account.customerId())));
    }

    private void reactivate(Context ctx) {
        access.admin(ctx);
        CustomerAccount account = existing(ctx.pathParam("customerId"));
        commands.sendAndWait(new ReactivateCustomer(account.customerId()));
        ctx.json(view(existing(account.customerId())));
    }

    private void delete(Context ctx) {
        access.admin(ctx);
        CustomerAccount account = existing(ctx.pathParam("customerId"));
        deletion.delete(account.customerId());
        ctx.status(202).json(view(existing(account.customerId())));
    }

    private CustomerAccount existing(String customerId) {
        if (!Ids.isUuid(customerId)) {
            throw ApiProblem.notFound("no customer " + customerId);
        }
        return accounts.find(customerId).orElseThrow(() -> ApiProblem.notFound("no customer " + customerId));
    }

    private CustomerView view(CustomerAccount account) {
        String company = account.status() == CustomerStatus.DELETED ? null
                : registration.company(account).orElse(null);
        return new CustomerView(account.customerId(), company, account.status().name(), account.documentCount(),
                account.registeredAt(), account.updatedAt());
    }
}
