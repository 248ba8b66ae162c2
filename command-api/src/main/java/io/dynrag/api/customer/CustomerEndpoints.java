package io.dynrag.api.customer;

import io.dynrag.api.auth.ApiKeys;
import io.dynrag.api.http.Access;
import io.dynrag.api.http.ApiProblem;
import io.dynrag.api.persistence.ThreadBoundTransactionManager;
import io.dynrag.domain.customer.RegisterCustomer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import org.axonframework.commandhandling.gateway.CommandGateway;

import java.util.UUID;
import java.util.function.Consumer;

/** Admin endpoints that create tenants. */
public final class CustomerEndpoints implements Consumer<RoutesConfig> {

    private final CommandGateway commands;
    private final ApiKeys apiKeys;
    private final ThreadBoundTransactionManager transactions;

    public CustomerEndpoints(CommandGateway commands, ApiKeys apiKeys, ThreadBoundTransactionManager transactions) {
        this.commands = commands;
        this.apiKeys = apiKeys;
        this.transactions = transactions;
    }

    public record RegisterCustomerRequest(String name) {
    }

    public record CustomerRegisteredResponse(String customerId, String apiKey) {
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.post("/v1/admin/customers", this::register);
    }

    private void register(Context ctx) {
        Access.admin(ctx);
        RegisterCustomerRequest request = ctx.bodyAsClass(RegisterCustomerRequest.class);
        if (request == null || request.name() == null) {
            throw ApiProblem.badRequest("send a JSON object with the customer's 'name'");
        }
        String customerId = UUID.randomUUID().toString();
        // One transaction for the event and the key hash: a customer never exists without its key.
        ApiKeys.IssuedKey key = transactions.fetchInTransaction(() -> {
            ApiKeys.IssuedKey issued = apiKeys.issue(customerId);
            commands.sendAndWait(new RegisterCustomer(customerId, request.name()));
            return issued;
        });
        ctx.status(201).json(new CustomerRegisteredResponse(customerId, key.secret()));
    }
}
