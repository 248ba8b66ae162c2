package io.dynrag.domain.customer;

/**
 * The customer's embedding cost this month crossed the alert share of its budget. Recorded at
 * most once per month.
 *
 * @param month the calendar month (UTC) as {@code yyyy-MM}
 */
public record BudgetThresholdReached(String customerId, String month, int thresholdPercent, long spentMicroUsd,
                                     long budgetMicroUsd) {
}
