package io.dynrag.api.search.rerank;

import io.dynrag.api.budget.BudgetAlerts;
import io.dynrag.api.budget.BudgetLedger;
import io.dynrag.api.search.Reranker;
import io.dynrag.api.usage.UsageFacts;
import io.dynrag.domain.search.RerankModel;
import io.dynrag.identity.accounts.CustomerAccounts;

import java.util.List;

/**
 * Reranking metered as embedding is: a call that may take the customer over its monthly budget is refused (402)
 * before anything is sent; an answered one is priced by the rerank model's list price, added to the month's
 * spending (which may alert the customer) and published as a usage fact. A failed call costs nothing.
 */
public final class MeteredReranker implements Reranker {

    /** As the budget estimates uploads: fewer characters a token than any provider counts, so never too little. */
    static final int ESTIMATE_CHARACTERS_PER_TOKEN = 3;

    private final Reranker provider;
    private final CustomerAccounts accounts;
    private final BudgetLedger budget;
    private final BudgetAlerts alerts;
    private final UsageFacts usage;

    public MeteredReranker(Reranker provider, CustomerAccounts accounts, BudgetLedger budget, BudgetAlerts alerts,
                           UsageFacts usage) {
        this.provider = provider;
        this.accounts = accounts;
        this.budget = budget;
        this.alerts = alerts;
        this.usage = usage;
    }

    @Override
    public Reranked rerank(String customerId, RerankModel model, String query, List<String> documents, int topN) {
        long characters = query.length() + documents.stream().mapToLong(String::length).sum();
        budget.admitRerank(customerId, accounts.find(customerId).orElseThrow().configuration(),
                model.costMicroUsd((characters + ESTIMATE_CHARACTERS_PER_TOKEN - 1) / ESTIMATE_CHARACTERS_PER_TOKEN));
        Reranked reranked = provider.rerank(customerId, model, query, documents, topN);
        long cost = model.costMicroUsd(reranked.tokens());
        budget.spend(customerId, cost);
        usage.recordRerank(customerId, documents.size(), reranked.tokens(), cost);
        alerts.check(customerId);
        return reranked;
    }
}
