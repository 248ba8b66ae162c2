package io.dynrag.domain.customer;

import io.dynrag.domain.DomainRuleViolation;

import java.time.Duration;
import java.time.Instant;

/**
 * The operator's ceiling on how long customers may keep their search history ({@code asOf}), and the
 * retention that applies to a customer: its {@code historyRetentionDays}, at most the ceiling (one
 * chosen under a higher ceiling is cut to the current one).
 */
public record HistoryRetention(int ceilingDays) {

    public HistoryRetention {
        if (ceilingDays < CustomerConfiguration.MIN_HISTORY_RETENTION_DAYS
                || ceilingDays > CustomerConfiguration.MAX_HISTORY_RETENTION_DAYS) {
            throw new IllegalArgumentException("the history retention ceiling must be "
                    + CustomerConfiguration.MIN_HISTORY_RETENTION_DAYS + " to "
                    + CustomerConfiguration.MAX_HISTORY_RETENTION_DAYS + " days, was " + ceilingDays);
        }
    }

    public Duration of(CustomerConfiguration configuration) {
        return Duration.ofDays(Math.min(configuration.historyRetentionDays(), ceilingDays));
    }

    /** The earliest instant the customer's searches may ask for at {@code now}. */
    public Instant windowStart(CustomerConfiguration configuration, Instant now) {
        return now.minus(of(configuration));
    }

    /** The default, unless the ceiling is lower. */
    public int defaultDays() {
        return Math.min(CustomerConfiguration.DEFAULT_HISTORY_RETENTION_DAYS, ceilingDays);
    }

    /**
     * @param days the {@code historyRetentionDays} a customer asks for
     * @throws DomainRuleViolation when it is below the minimum or above the ceiling
     */
    public void admit(int days) {
        if (days < CustomerConfiguration.MIN_HISTORY_RETENTION_DAYS || days > ceilingDays) {
            throw new DomainRuleViolation("historyRetentionDays must be " + CustomerConfiguration.MIN_HISTORY_RETENTION_DAYS
                    + " to " + ceilingDays + " (the operator's ceiling), was " + days);
        }
    }
}
