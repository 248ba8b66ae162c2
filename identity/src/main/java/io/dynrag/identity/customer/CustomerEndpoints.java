package io.dynrag.identity.customer;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.domain.customer.ChangeCustomerCeilings;
import io.dynrag.domain.customer.CustomerCeilings;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.customer.CustomerStatus;
import io.dynrag.domain.customer.ReactivateCustomer;
import io.dynrag.domain.customer.SuspendCustomer;
import io.dynrag.identity.access.Access;
import io.dynrag.identity.accounts.CustomerAccount;
import io.dynrag.identity.accounts.CustomerAccounts;
import io.dynrag.identity.accounts.CustomerRegistration;
import io.dynrag.identity.credentials.ApiKeys;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.http.Ids;
import io.dynrag.platform.http.QueryParameters;
import io.dynrag.platform.idempotency.IdempotentPosts;
import io.dynrag.platform.idempotency.NewIds;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import org.axonframework.commandhandling.gateway.CommandGateway;

import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Operator endpoints: create, list, suspend, reactivate and delete customers, and set how far each
 * may raise its own limits (its ceilings).
 */
public final class CustomerEndpoints implements Consumer<RoutesConfig> {

    private static final int DEFAULT_PAGE = 50;
    private static final int MAX_PAGE = 500;

    private final Access access;
    private final CommandGateway commands;
    private final CustomerRegistration registration;
    private final CustomerAccounts accounts;
    private final CustomerDeletion deletion;
    private final ApiKeys apiKeys;
    private final long maxUploadBytes;

    /** @param maxUploadBytes the largest upload this server takes: no file-size ceiling can be higher */
    public CustomerEndpoints(Access access, CommandGateway commands, CustomerRegistration registration,
                             CustomerAccounts accounts, CustomerDeletion deletion, ApiKeys apiKeys,
                             long maxUploadBytes) {
        this.access = access;
        this.commands = commands;
        this.registration = registration;
        this.accounts = accounts;
        this.deletion = deletion;
        this.apiKeys = apiKeys;
        this.maxUploadBytes = maxUploadBytes;
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

    /**
     * A partial update of a customer's ceilings: a field left out keeps its ceiling, a number sets it,
     * {@code null} returns it to the running default. Read as JSON trees to tell null from left out.
     */
    public record CeilingsUpdate(JsonNode requestsPerMinute, JsonNode requestsPerDay, JsonNode maxDocuments,
                                 JsonNode maxFileBytes) {
    }

    /**
     * One bounded value of a customer.
     *
     * @param ceiling    the highest value the customer may set by itself
     * @param source     {@code operator} when an operator set the ceiling, {@code default} when the running
     *                   default applies
     * @param configured the value the customer set
     * @param effective  what applies: the configured value or the ceiling, whichever is lower
     */
    public record Bound(long ceiling, String source, long configured, long effective) {
    }

    /** @param ceilings by field: requestsPerMinute, requestsPerDay, maxDocuments, maxFileBytes */
    public record CeilingsView(String customerId, Map<String, Bound> ceilings) {
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.post("/v1/admin/customers", this::register);
        routes.get("/v1/admin/customers", this::list);
        routes.get("/v1/admin/customers/{customerId}", this::get);
        routes.post("/v1/admin/customers/{customerId}/suspend", this::suspend);
        routes.post("/v1/admin/customers/{customerId}/reactivate", this::reactivate);
        routes.delete("/v1/admin/customers/{customerId}", this::delete);
        routes.get("/v1/admin/customers/{customerId}/ceilings", this::ceilings);
        routes.put("/v1/admin/customers/{customerId}/ceilings", this::changeCeilings);
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

    private void ceilings(Context ctx) {
        access.admin(ctx);
        ctx.json(ceilingsView(existing(ctx.pathParam("customerId"))));
    }

    private void changeCeilings(Context ctx) {
        access.admin(ctx);
        CustomerAccount account = existing(ctx.pathParam("customerId"));
        CeilingsUpdate update = ctx.bodyAsClass(CeilingsUpdate.class);
        CustomerCeilings current = account.operatorCeilings();
        Long maxFileBytes = ceiling("maxFileBytes", update.maxFileBytes(), current.maxFileBytes());
        // Checked when set: a ceiling set before the server's limit was lowered must not block other changes.
        if (update.maxFileBytes() != null && maxFileBytes != null && maxFileBytes > maxUploadBytes) {
            throw ApiProblem.badRequest("maxFileBytes must be at most " + maxUploadBytes
                    + ", the largest upload this server takes (DYNRAG_MAX_UPLOAD_BYTES)");
        }
        CustomerCeilings next = new CustomerCeilings(
                intCeiling("requestsPerMinute", update.requestsPerMinute(), current.requestsPerMinute()),
                intCeiling("requestsPerDay", update.requestsPerDay(), current.requestsPerDay()),
                intCeiling("maxDocuments", update.maxDocuments(), current.maxDocuments()),
                maxFileBytes);
        commands.sendAndWait(new ChangeCustomerCeilings(account.customerId(), next));
        ctx.json(ceilingsView(existing(account.customerId())));
    }

    /** A number beyond int is out of every range: clamped, it is refused by the range rule that names it. */
    private static Integer intCeiling(String field, JsonNode value, Integer current) {
        Long ceiling = ceiling(field, value, current == null ? null : current.longValue());
        return ceiling == null ? null : Math.clamp(ceiling, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** Left out: the current ceiling; JSON null: none (the default applies); else a whole number. */
    private static Long ceiling(String field, JsonNode value, Long current) {
        if (value == null) {
            return current;
        }
        if (value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw ApiProblem.badRequest("'" + field + "' must be a whole number, or null for the default ceiling");
        }
        return value.longValue();
    }

    private static CeilingsView ceilingsView(CustomerAccount account) {
        CustomerCeilings inForce = account.ceilings();
        CustomerCeilings set = account.operatorCeilings();
        CustomerConfiguration chosen = account.chosenConfiguration();
        CustomerConfiguration effective = account.configuration();
        Map<String, Bound> bounds = new LinkedHashMap<>();
        bound(bounds, "requestsPerMinute", CustomerCeilings::requestsPerMinute, inForce, set,
                chosen.requestsPerMinute(), effective.requestsPerMinute());
        bound(bounds, "requestsPerDay", CustomerCeilings::requestsPerDay, inForce, set,
                chosen.requestsPerDay(), effective.requestsPerDay());
        bound(bounds, "maxDocuments", CustomerCeilings::maxDocuments, inForce, set,
                chosen.maxDocuments(), effective.maxDocuments());
        bound(bounds, "maxFileBytes", CustomerCeilings::maxFileBytes, inForce, set,
                chosen.maxFileBytes(), effective.maxFileBytes());
        return new CeilingsView(account.customerId(), bounds);
    }

    private static void bound(Map<String, Bound> bounds, String field,
                              Function<CustomerCeilings, ? extends Number> ceiling, CustomerCeilings inForce,
                              CustomerCeilings set, long configured, long effective) {
        bounds.put(field, new Bound(ceiling.apply(inForce).longValue(),
                ceiling.apply(set) == null ? "default" : "operator", configured, effective));
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
