package io.dynrag.api.budget;

import io.dynrag.domain.billing.EmbeddingPrices;
import io.dynrag.domain.customer.BudgetThresholdReached;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.customer.CustomerDeleted;
import io.dynrag.domain.customer.RecordBudgetThresholdReached;
import io.dynrag.domain.document.DocumentDeleted;
import io.dynrag.domain.document.DocumentVersionFailed;
import io.dynrag.domain.document.DocumentVersionIndexed;
import io.dynrag.platform.persistence.Statements;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.Timestamp;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The monthly budget: what each customer spent this calendar month (UTC) on embeddings and reranked
 * searches, and what its accepted, not yet indexed versions may still cost. Kept by a subscribing event handler in the
 * command's own transaction, and read under the customer's row lock when an upload is accepted, so
 * concurrent uploads cannot together overshoot the budget.
 *
 * <p>An upload's cost is not known before the pipeline has extracted and chunked it, so it is
 * estimated from its size: one token per {@value #BYTES_PER_TOKEN} bytes, more than the 4 to 5
 * characters per token of English prose under either tokenizer, and far more than PDFs and HTML
 * yield, whose bytes are mostly markup and layout. The estimate is held as a
 * reservation until the version is indexed, when the real cost replaces it, or fails or is deleted,
 * when it is released.
 */
public final class BudgetLedger {

    public static final String PROCESSING_GROUP = "budget-ledger";
    static final int BYTES_PER_TOKEN = 3;

    private final Statements sql;
    private final EmbeddingPrices prices;
    private final Clock clock;

    public BudgetLedger(ThreadBoundTransactionManager transactions, EmbeddingPrices prices, Clock clock) {
        this.sql = new Statements(transactions, "budget ledger");
        this.prices = prices;
        this.clock = clock;
    }

    /** A customer's month: the budget (null for none) and what is spent and reserved against it. */
    public record MonthState(String month, BigDecimal monthlyBudgetUsd, long spentMicroUsd, long reservedMicroUsd,
                             int alertPercent, boolean alerted) {

        /** Spent and reserved together, which an upload's estimate is added to. */
        public long committedMicroUsd() {
            return spentMicroUsd + reservedMicroUsd;
        }
    }

    /**
     * Holds the estimated cost of an accepted version, refusing it when it would take the customer
     * over the monthly budget. Call inside the upload's transaction, after taking the customer's row
     * lock, so that a refusal rolls the upload back.
     *
     * @throws BudgetExceededException when the budget cannot cover the estimate
     */
    public void reserve(String customerId, CustomerConfiguration configuration, String documentId, int version,
                        long bytes) {
        long estimate = prices.costMicroUsd(configuration.embeddingModel(), estimatedTokens(bytes));
        OptionalLong budget = configuration.monthlyBudgetMicroUsd();
        MonthState month = budget.isPresent() && estimate > 0 ? state(customerId, configuration) : null;
        if (month != null && month.committedMicroUsd() + estimate > budget.getAsLong()) {
            throw new BudgetExceededException(String.format(
                    "this upload may cost up to $%s, which would exceed your monthly embedding budget of $%s: "
                            + "$%s is spent in %s and $%s is held for documents still being indexed; raise "
                            + "monthlyBudgetUsd or wait for next month",
                    usd(estimate), configuration.monthlyBudgetUsd().toPlainString(), usd(month.spentMicroUsd()),
                    month.month(), usd(month.reservedMicroUsd())));
        }
        if (estimate > 0 && sql.update("""
                INSERT INTO budget_reservation (document_id, version, customer_id, micro_usd) VALUES (?, ?, ?, ?)
                ON CONFLICT (document_id, version) DO NOTHING""", documentId, version, customerId, estimate) == 1) {
            addToHeld(customerId, estimate);
        }
    }

    /**
     * Refuses a reranked search that may take the customer over its monthly budget. Nothing is held: the call is
     * over within the request, when {@link #spend} adds its cost. Searches running at the same moment may together
     * overshoot the budget by a few searches' cost, which is why they are not worth a lock.
     *
     * @throws BudgetExceededException when the budget cannot cover the estimate
     */
    public void admitRerank(String customerId, CustomerConfiguration configuration, long estimateMicroUsd) {
        OptionalLong budget = configuration.monthlyBudgetMicroUsd();
        if (budget.isEmpty()) {
            return;
        }
        MonthState month = state(customerId, configuration);
        if (month.committedMicroUsd() + estimateMicroUsd > budget.getAsLong()) {
            throw new BudgetExceededException(String.format(
                    "this reranked search may cost up to $%s, which would exceed your monthly budget of $%s: $%s "
                            + "is spent in %s and $%s is held for documents still being indexed; search without "
                            + "'rerank', raise monthlyBudgetUsd or wait for next month",
                    usd(estimateMicroUsd), configuration.monthlyBudgetUsd().toPlainString(),
                    usd(month.spentMicroUsd()), month.month(), usd(month.reservedMicroUsd())));
        }
    }

    /** Adds what a reranked search cost to this month's spending. */
    public void spend(String customerId, long microUsd) {
        sql.update("""
                INSERT INTO budget_month (customer_id, month, spent_micro_usd) VALUES (?, ?, ?)
                ON CONFLICT (customer_id, month) DO UPDATE
                    SET spent_micro_usd = budget_month.spent_micro_usd + EXCLUDED.spent_micro_usd""",
                customerId, YearMonth.now(clock.withZone(ZoneOffset.UTC)).toString(), microUsd);
    }

    public MonthState state(String customerId, CustomerConfiguration configuration) {
        String month = YearMonth.now(clock.withZone(ZoneOffset.UTC)).toString();
        Spent spent = sql.query(row -> new Spent(row.getLong(1), row.getBoolean(2)),
                "SELECT spent_micro_usd, alerted FROM budget_month WHERE customer_id = ? AND month = ?",
                customerId, month).stream().findFirst().orElse(new Spent(0, false));
        long reserved = sql.query(row -> row.getLong(1),
                "SELECT micro_usd FROM budget_held WHERE customer_id = ?", customerId).stream()
                .findFirst().orElse(0L);
        return new MonthState(month, configuration.monthlyBudgetUsd(), spent.microUsd(), reserved,
                configuration.budgetAlertPercent(), spent.alerted());
    }

    private record Spent(long microUsd, boolean alerted) {
    }

    /** The alert to record when this month's spending has crossed the customer's alert share and was not told yet. */
    public Optional<RecordBudgetThresholdReached> alertDue(String customerId, CustomerConfiguration configuration) {
        if (configuration.monthlyBudgetMicroUsd().isEmpty()) {
            return Optional.empty();
        }
        MonthState month = state(customerId, configuration);
        long budget = configuration.monthlyBudgetMicroUsd().getAsLong();
        boolean crossed = BigDecimal.valueOf(month.spentMicroUsd()).multiply(BigDecimal.valueOf(100))
                .compareTo(BigDecimal.valueOf(budget).multiply(BigDecimal.valueOf(month.alertPercent()))) >= 0;
        return crossed && !month.alerted()
                ? Optional.of(new RecordBudgetThresholdReached(customerId, month.month(), month.alertPercent(),
                month.spentMicroUsd(), budget))
                : Optional.empty();
    }

    @EventHandler
    void on(DocumentVersionIndexed event, @Timestamp Instant at) {
        release(event.documentId(), event.version());
        sql.update("""
                INSERT INTO budget_month (customer_id, month, spent_micro_usd) VALUES (?, ?, ?)
                ON CONFLICT (customer_id, month) DO UPDATE
                    SET spent_micro_usd = budget_month.spent_micro_usd + EXCLUDED.spent_micro_usd""",
                event.customerId(), YearMonth.from(at.atZone(ZoneOffset.UTC)).toString(),
                event.stats().costMicroUsd());
    }

    @EventHandler
    void on(DocumentVersionFailed event) {
        release(event.documentId(), event.version());
    }

    @EventHandler
    void on(DocumentDeleted event) {
        releaseAll("DELETE FROM budget_reservation WHERE document_id = ? RETURNING customer_id, micro_usd",
                event.documentId());
    }

    @EventHandler
    void on(BudgetThresholdReached event) {
        sql.update("""
                INSERT INTO budget_month (customer_id, month, alerted) VALUES (?, ?, TRUE)
                ON CONFLICT (customer_id, month) DO UPDATE SET alerted = TRUE""", event.customerId(), event.month());
    }

    @EventHandler
    void on(CustomerDeleted event) {
        sql.update("DELETE FROM budget_reservation WHERE customer_id = ?", event.customerId());
        sql.update("DELETE FROM budget_held WHERE customer_id = ?", event.customerId());
        sql.update("DELETE FROM budget_month WHERE customer_id = ?", event.customerId());
    }

    private void release(String documentId, int version) {
        releaseAll("DELETE FROM budget_reservation WHERE document_id = ? AND version = ? RETURNING customer_id, micro_usd",
                documentId, version);
    }

    /** @param deleteReturning deletes reservations and returns their customer and amount */
    private void releaseAll(String deleteReturning, Object... parameters) {
        sql.query(row -> new Held(row.getString(1), row.getLong(2)), deleteReturning, parameters)
                .forEach(released -> hold(released.customerId(), -released.microUsd()));
    }

    private record Held(String customerId, long microUsd) {
    }

    /**
     * Adds to (or, negative, takes from) the customer's running total of reservations. The customer's
     * account row is locked first, as an upload locks it before reserving: whatever order the
     * handlers of a deletion run in, two transactions never wait for each other's rows in a cycle.
     */
    private void hold(String customerId, long microUsd) {
        sql.query(row -> row.getInt(1), "SELECT 1 FROM customer_account WHERE customer_id = ? FOR UPDATE", customerId);
        addToHeld(customerId, microUsd);
    }

    /** Only with the customer's row locked by this transaction already, as {@link #hold} explains. */
    private void addToHeld(String customerId, long microUsd) {
        sql.update("""
                INSERT INTO budget_held (customer_id, micro_usd) VALUES (?, ?)
                ON CONFLICT (customer_id) DO UPDATE SET micro_usd = budget_held.micro_usd + EXCLUDED.micro_usd""",
                customerId, microUsd);
    }

    static long estimatedTokens(long bytes) {
        return (bytes + BYTES_PER_TOKEN - 1) / BYTES_PER_TOKEN;
    }

    static String usd(long microUsd) {
        return BigDecimal.valueOf(microUsd, 6).stripTrailingZeros().toPlainString();
    }
}
