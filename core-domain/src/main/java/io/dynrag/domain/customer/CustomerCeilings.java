package io.dynrag.domain.customer;

import io.dynrag.domain.DomainRuleViolation;

import java.util.Objects;

/**
 * How far a customer may raise, by itself, the values of its configuration that cost the operator:
 * request rates, documents kept and the size of a file. Only an operator sets them. A null bound was
 * never set (or was reset) by the operator: the running default applies, so a customer moves with the
 * default when the operator changes it.
 *
 * <p>A configured value above its ceiling (the ceiling was lowered after the customer chose it) is
 * kept as chosen, but what applies is the ceiling: see {@link #limit}.
 */
public record CustomerCeilings(Integer requestsPerMinute, Integer requestsPerDay, Integer maxDocuments,
                               Long maxFileBytes) {

    /** No bound set by an operator: every default applies. */
    public static final CustomerCeilings NONE = new CustomerCeilings(null, null, null, null);

    /** Checks the bounds that are set and names the first field that breaks a rule. */
    public CustomerCeilings validated() {
        require(requestsPerMinute == null
                        || (requestsPerMinute >= 1 && requestsPerMinute <= CustomerConfiguration.MAX_REQUESTS_PER_MINUTE),
                "requestsPerMinute must be 1 to " + CustomerConfiguration.MAX_REQUESTS_PER_MINUTE);
        require(requestsPerDay == null
                        || (requestsPerDay >= 1 && requestsPerDay <= CustomerConfiguration.MAX_REQUESTS_PER_DAY),
                "requestsPerDay must be 1 to " + CustomerConfiguration.MAX_REQUESTS_PER_DAY);
        require(maxDocuments == null || (maxDocuments >= 1 && maxDocuments <= CustomerConfiguration.MAX_DOCUMENTS),
                "maxDocuments must be 1 to " + CustomerConfiguration.MAX_DOCUMENTS);
        require(maxFileBytes == null || (maxFileBytes >= 1 && maxFileBytes <= CustomerConfiguration.MAX_FILE_BYTES),
                "maxFileBytes must be 1 to " + CustomerConfiguration.MAX_FILE_BYTES);
        return this;
    }

    /** Every bound is set: what the running defaults must be. */
    public boolean complete() {
        return requestsPerMinute != null && requestsPerDay != null && maxDocuments != null && maxFileBytes != null;
    }

    /** These bounds where they are set, the defaults elsewhere: the ceilings in force. */
    public CustomerCeilings over(CustomerCeilings defaults) {
        if (!defaults.complete()) {
            throw new IllegalArgumentException("default ceilings must all be set: " + defaults);
        }
        return new CustomerCeilings(
                Objects.requireNonNullElse(requestsPerMinute, defaults.requestsPerMinute()),
                Objects.requireNonNullElse(requestsPerDay, defaults.requestsPerDay()),
                Objects.requireNonNullElse(maxDocuments, defaults.maxDocuments()),
                Objects.requireNonNullElse(maxFileBytes, defaults.maxFileBytes()));
    }

    /** The configuration that applies: each bounded value at most its ceiling. These ceilings must be in force. */
    public CustomerConfiguration limit(CustomerConfiguration configuration) {
        requireComplete();
        return new CustomerConfiguration(
                Math.min(configuration.requestsPerMinute(), requestsPerMinute),
                Math.min(configuration.requestsPerDay(), requestsPerDay),
                Math.min(configuration.maxDocuments(), maxDocuments),
                Math.min(configuration.maxFileBytes(), maxFileBytes),
                configuration.allowedContentTypes(), configuration.chunkTokens(), configuration.chunkOverlapTokens(),
                configuration.embeddingModel(), configuration.monthlyBudgetUsd(), configuration.budgetAlertPercent(),
                configuration.rerankModel(), configuration.historyRetentionDays());
    }

    /**
     * Refuses a change that sets a bounded value above its ceiling. A value the change leaves as it
     * was passes even above a since lowered ceiling, so that the customer can still change anything
     * else; it applies only up to the ceiling meanwhile. These ceilings must be in force.
     *
     * @throws CeilingExceededException naming the first value above its ceiling
     */
    public void admit(CustomerConfiguration current, CustomerConfiguration next) {
        requireComplete();
        requireWithin("requestsPerMinute", current.requestsPerMinute(), next.requestsPerMinute(), requestsPerMinute);
        requireWithin("requestsPerDay", current.requestsPerDay(), next.requestsPerDay(), requestsPerDay);
        requireWithin("maxDocuments", current.maxDocuments(), next.maxDocuments(), maxDocuments);
        requireWithin("maxFileBytes", current.maxFileBytes(), next.maxFileBytes(), maxFileBytes);
    }

    private static void requireWithin(String field, long current, long next, long ceiling) {
        if (next != current && next > ceiling) {
            throw new CeilingExceededException(field, next, ceiling);
        }
    }

    private void requireComplete() {
        if (!complete()) {
            throw new IllegalStateException("these ceilings are not in force, some are unset: " + this);
        }
    }

    private static void require(boolean rule, String message) {
        if (!rule) {
            throw new DomainRuleViolation(message);
        }
    }
}
