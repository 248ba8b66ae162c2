package io.dynrag.identity.customer;

import io.dynrag.domain.customer.CeilingExceededException;
import io.dynrag.domain.customer.ChangeCustomerConfiguration;
import io.dynrag.domain.customer.CustomerCeilings;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.customer.HistoryRetention;
import io.dynrag.domain.customer.SetProviderKey;
import io.dynrag.domain.search.RerankModel;
import io.dynrag.identity.access.Access;
import io.dynrag.identity.accounts.CustomerAccount;
import io.dynrag.identity.accounts.CustomerAccounts;
import io.dynrag.identity.accounts.ProviderKeys;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.outbound.AddressPolicy;
import io.dynrag.platform.outbound.FetchableUrl;
import io.dynrag.platform.outbound.InvalidUrlException;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import org.axonframework.commandhandling.gateway.CommandGateway;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The customer's own configuration and its provider keys: the embedding provider's ({@code openai}) and the
 * rerank provider's its {@code rerankModel} is called with. The values that cost the operator may be set only
 * up to the customer's ceilings; what is shown is what applies.
 */
public final class CustomerConfigEndpoints implements Consumer<RoutesConfig> {

    static final Set<String> PROVIDERS = Stream.concat(Stream.of(CustomerAccounts.EMBEDDING_PROVIDER),
            RerankModel.SUPPORTED.values().stream().map(RerankModel::provider)).collect(Collectors.toUnmodifiableSet());
    /** The {@code rerankModel} that removes the customer's rerank model: a JSON null keeps the current one. */
    static final String NO_RERANK_MODEL = "none";

    private final Access access;
    private final CommandGateway commands;
    private final CustomerAccounts accounts;
    private final ProviderKeys providerKeys;
    private final ThreadBoundTransactionManager transactions;
    private final AddressPolicy addresses;
    private final CustomerCeilings defaultCeilings;
    private final HistoryRetention historyRetention;

    /**
     * @param addresses       where a provider base URL may point: never at our internal network
     * @param defaultCeilings the ceilings of customers for whom an operator has set none
     * @param historyRetention the operator's ceiling on {@code historyRetentionDays}
     */
    public CustomerConfigEndpoints(Access access, CommandGateway commands, CustomerAccounts accounts,
                                   ProviderKeys providerKeys, ThreadBoundTransactionManager transactions,
                                   AddressPolicy addresses, CustomerCeilings defaultCeilings,
                                   HistoryRetention historyRetention) {
        this.access = access;
        this.commands = commands;
        this.accounts = accounts;
        this.providerKeys = providerKeys;
        this.transactions = transactions;
        this.addresses = addresses;
        this.defaultCeilings = defaultCeilings;
        this.historyRetention = historyRetention;
    }

    /** Fields left out keep their current value. */
    public record ConfigurationUpdate(Integer requestsPerMinute, Integer requestsPerDay, Integer maxDocuments,
                                      Long maxFileBytes, Set<String> allowedContentTypes, Integer chunkTokens,
                                      Integer chunkOverlapTokens, String embeddingModel,
                                      BigDecimal monthlyBudgetUsd, Integer budgetAlertPercent, String rerankModel,
                                      Integer historyRetentionDays) {

        CustomerConfiguration applyTo(CustomerConfiguration current) {
            return new CustomerConfiguration(
                    Optional.ofNullable(requestsPerMinute).orElse(current.requestsPerMinute()),
                    Optional.ofNullable(requestsPerDay).orElse(current.requestsPerDay()),
                    Optional.ofNullable(maxDocuments).orElse(current.maxDocuments()),
                    Optional.ofNullable(maxFileBytes).orElse(current.maxFileBytes()),
                    Optional.ofNullable(allowedContentTypes).orElse(current.allowedContentTypes()),
                    Optional.ofNullable(chunkTokens).orElse(current.chunkTokens()),
                    Optional.ofNullable(chunkOverlapTokens).orElse(current.chunkOverlapTokens()),
                    Optional.ofNullable(embeddingModel).orElse(current.embeddingModel()),
                    // 0 removes the budget.
                    monthlyBudgetUsd == null ? current.monthlyBudgetUsd()
                            : monthlyBudgetUsd.signum() == 0 ? null : monthlyBudgetUsd,
                    Optional.ofNullable(budgetAlertPercent).orElse(current.budgetAlertPercent()),
                    rerankModel == null ? current.rerankModel()
                            : NO_RERANK_MODEL.equals(rerankModel) ? null : rerankModel,
                    Optional.ofNullable(historyRetentionDays).orElse(current.historyRetentionDays()));
        }
    }

    public record ProviderKeyRequest(String provider, String apiKey, String baseUrl) {
    }

    public record ProviderKeyView(String provider, String fingerprint) {
    }

    /**
     * @param configuration what applies: each value at most its ceiling
     * @param ceilings      the highest values the customer may set by itself
     * @param providerKey   the embedding provider's key
     * @param rerankKey     the key of the {@code rerankModel}'s provider; null without a rerank model or its key
     */
    public record ConfigurationView(CustomerConfiguration configuration, CustomerCeilings ceilings,
                                    ProviderKeyView providerKey, ProviderKeyView rerankKey) {
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.get("/v1/customer/config", this::get);
        routes.put("/v1/customer/config", this::update);
        routes.put("/v1/customer/provider-key", this::putProviderKey);
        routes.delete("/v1/customer/provider-key", this::deleteProviderKey);
    }

    private void get(Context ctx) {
        ctx.json(view(access.customer(ctx, Scope.READ).customerId()));
    }

    private void update(Context ctx) {
        String customerId = access.customer(ctx, Scope.ADMIN).customerId();
        ConfigurationUpdate update = ctx.bodyAsClass(ConfigurationUpdate.class);
        if (update.allowedContentTypes() != null && update.allowedContentTypes().contains(null)) {
            throw ApiProblem.badRequest("allowedContentTypes must name media types, not null");
        }
        // The configuration reads 0 as "not set" (stored before budgets existed); a client must say 1 to 100.
        if (update.budgetAlertPercent() != null && update.budgetAlertPercent() == 0) {
            throw ApiProblem.badRequest("budgetAlertPercent must be 1 to 100");
        }
        if (update.historyRetentionDays() != null) {
            historyRetention.admit(update.historyRetentionDays());
        }
        CustomerAccount account = account(customerId);
        // Onto the values as chosen: one left above a since lowered ceiling stays as it was.
        CustomerConfiguration next = update.applyTo(account.chosenConfiguration());
        if (!CustomerConfiguration.LOCAL_MODELS.contains(next.embeddingModel()) && account.providerFingerprint() == null) {
            throw ApiProblem.badRequest("embeddingModel " + next.embeddingModel() + " uses your OpenAI key: store it "
                    + "with PUT /v1/customer/provider-key first");
        }
        RerankModel rerankModel = next.rerankModel() == null ? null : RerankModel.SUPPORTED.get(next.rerankModel());
        if (update.rerankModel() != null && rerankModel != null
                && providerKeys.storedFingerprint(customerId, rerankModel.provider()).isEmpty()) {
            throw ApiProblem.badRequest("rerankModel " + rerankModel.id() + " uses your " + rerankModel.provider()
                    + " key: store it with PUT /v1/customer/provider-key (\"provider\": \"" + rerankModel.provider()
                    + "\") first");
        }
        try {
            commands.sendAndWait(new ChangeCustomerConfiguration(customerId, next, defaultCeilings));
        } catch (CeilingExceededException e) {
            throw new ApiProblem(422, "Unprocessable Content", e.getMessage());
        }
        ctx.json(view(customerId));
    }

    private void putProviderKey(Context ctx) {
        String customerId = access.customer(ctx, Scope.ADMIN).customerId();
        ProviderKeyRequest request = ctx.bodyAsClass(ProviderKeyRequest.class);
        if (request.provider() == null || !PROVIDERS.contains(request.provider())) {
            throw ApiProblem.badRequest("'provider' must be one of " + new TreeSet<>(PROVIDERS));
        }
        String key = request.apiKey() == null ? "" : request.apiKey().strip();
        if (key.length() < 8 || key.length() > 512 || !key.chars().allMatch(c -> c > 32 && c < 127)) {
            throw ApiProblem.badRequest("'apiKey' must be 8 to 512 printable characters without spaces");
        }
        FetchableUrl base = validBaseUrl(request.baseUrl());
        if (base != null) {
            addresses.refusal(base.host()).ifPresent(reason -> {
                throw new ApiProblem(422, "Unprocessable Content", "'baseUrl' cannot be used: " + reason);
            });
        }
        String baseUrl = base == null ? null : base.uri().toString();
        transactions.executeInTransaction(() -> {
            providerKeys.store(customerId, request.provider(), key, baseUrl);
            commands.sendAndWait(new SetProviderKey(customerId, request.provider(), ProviderKeys.fingerprint(key)));
        });
        ctx.json(new ProviderKeyView(request.provider(), ProviderKeys.fingerprint(key)));
    }

    private void deleteProviderKey(Context ctx) {
        String customerId = access.customer(ctx, Scope.ADMIN).customerId();
        String provider = Optional.ofNullable(ctx.queryParam("provider")).orElse("openai");
        if (!PROVIDERS.contains(provider)) {
            throw ApiProblem.badRequest("'provider' must be one of " + new TreeSet<>(PROVIDERS));
        }
        transactions.executeInTransaction(() -> {
            providerKeys.delete(customerId, provider);
            commands.sendAndWait(new SetProviderKey(customerId, provider, null));
        });
        ctx.status(204);
    }

    private ConfigurationView view(String customerId) {
        CustomerAccount account = account(customerId);
        ProviderKeyView key = account.providerFingerprint() == null ? null
                : new ProviderKeyView(account.provider(), account.providerFingerprint());
        String rerankModel = account.configuration().rerankModel();
        ProviderKeyView rerankKey = rerankModel == null ? null
                : Optional.of(RerankModel.SUPPORTED.get(rerankModel).provider())
                .flatMap(provider -> providerKeys.storedFingerprint(customerId, provider)
                        .map(fingerprint -> new ProviderKeyView(provider, fingerprint)))
                .orElse(null);
        return new ConfigurationView(account.configuration(), account.ceilings(), key, rerankKey);
    }

    private CustomerAccount account(String customerId) {
        return accounts.find(customerId).orElseThrow(() -> ApiProblem.notFound("no customer " + customerId));
    }

    /** The same URLs as pages fetched by URL and webhooks: http or https, a host, no credentials. */
    private static FetchableUrl validBaseUrl(String baseUrl) {
        if (baseUrl == null || baseUrl.isBlank()) {
            return null;
        }
        try {
            return FetchableUrl.parse(baseUrl);
        } catch (InvalidUrlException e) {
            throw ApiProblem.badRequest("'baseUrl' must be an absolute http or https URL: " + e.getMessage());
        }
    }
}
