package io.dynrag.domain.customer;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** @param month the calendar month (UTC) as {@code yyyy-MM} */
public record RecordBudgetThresholdReached(@TargetAggregateIdentifier String customerId, String month,
                                           int thresholdPercent, long spentMicroUsd, long budgetMicroUsd) {
}
