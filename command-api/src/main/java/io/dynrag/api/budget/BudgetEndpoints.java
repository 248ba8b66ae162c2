package io.dynrag.api.budget;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.dynrag.identity.access.Access;
import io.dynrag.identity.accounts.CustomerAccounts;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.platform.http.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.math.BigDecimal;
import java.util.function.Consumer;

/** The customer's monthly embedding budget and what is spent and held against it. */
public final class BudgetEndpoints implements Consumer<RoutesConfig> {

    private final Access access;
    private final CustomerAccounts accounts;
    private final BudgetLedger ledger;

    public BudgetEndpoints(Access access, CustomerAccounts accounts, BudgetLedger ledger) {
        this.access = access;
        this.accounts = accounts;
        this.ledger = ledger;
    }

    /** @param remainingUsd null without a budget; never below zero */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record BudgetView(String month, BigDecimal monthlyBudgetUsd, BigDecimal spentUsd, BigDecimal reservedUsd,
                             BigDecimal remainingUsd, int alertPercent, boolean alerted) {
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.get("/v1/budget", this::budget);
    }

    private void budget(Context ctx) {
        String customerId = access.customer(ctx, Scope.READ).customerId();
        BudgetLedger.MonthState month = ledger.state(customerId,
                accounts.find(customerId).orElseThrow().configuration());
        BigDecimal remaining = month.monthlyBudgetUsd() == null ? null
                : month.monthlyBudgetUsd().subtract(Json.usd(month.committedMicroUsd()))
                .max(BigDecimal.ZERO);
        ctx.json(new BudgetView(month.month(), month.monthlyBudgetUsd(), Json.usd(month.spentMicroUsd()),
                Json.usd(month.reservedMicroUsd()), remaining, month.alertPercent(), month.alerted()));
    }
}
