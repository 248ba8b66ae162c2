package io.dynrag.domain.customer;

import io.dynrag.domain.DomainRuleViolation;
import io.dynrag.domain.search.RerankModel;

import java.math.BigDecimal;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a customer may do and how its documents are processed, as the customer chose it. Every change
 * is an event, so the configuration at any moment can be replayed. The values that cost the operator
 * are also bounded by the customer's {@link CustomerCeilings}: what applies is the lower of the two.
 *
 * @param requestsPerMinute   API requests allowed per minute
 * @param requestsPerDay      API requests allowed per day
 * @param maxDocuments        documents the customer may keep
 * @param maxFileBytes        largest accepted upload
 * @param allowedContentTypes media types the customer may upload
 * @param chunkTokens         tokens per chunk (the model's tokenizer), at most the model's input limit
 * @param chunkOverlapTokens  word pieces a chunk repeats from the end of the previous one
 * @param embeddingModel      id of the model that embeds the customer's chunks
 * @param monthlyBudgetUsd    most embedding cost per calendar month (UTC); null for no budget
 * @param budgetAlertPercent  share of the budget at which the customer is alerted, once a month
 * @param rerankModel         id of the {@link RerankModel} searches may ask to reorder their hits with; null for
 *                            none (searches cannot ask for it)
 * @param historyRetentionDays how far back searches may travel in time ({@code asOf}); older dataset versions
 *                            are cleaned up. At most the operator's ceiling ({@link HistoryRetention})
 */
public record CustomerConfiguration(
        int requestsPerMinute,
        int requestsPerDay,
        int maxDocuments,
        long maxFileBytes,
        Set<String> allowedContentTypes,
        int chunkTokens,
        int chunkOverlapTokens,
        String embeddingModel,
        BigDecimal monthlyBudgetUsd,
        int budgetAlertPercent,
        String rerankModel,
        int historyRetentionDays) {

    public static final int DEFAULT_BUDGET_ALERT_PERCENT = 80;
    public static final int DEFAULT_HISTORY_RETENTION_DAYS = 30;
    /** A day at least: an audit of yesterday's answers must stay possible. */
    public static final int MIN_HISTORY_RETENTION_DAYS = 1;
    public static final int MAX_HISTORY_RETENTION_DAYS = 3_650;

    public static final Set<String> SUPPORTED_CONTENT_TYPES = Set.of("application/pdf", "text/html", "text/markdown",
            "text/plain");
    public static final String LOCAL_MODEL = "all-minilm-l6-v2";
    /** The local model with int8 weights: about twice as fast, vectors within cosine 0.99 of fp32's. */
    public static final String LOCAL_INT8_MODEL = "all-minilm-l6-v2-q";
    /** BAAI bge-small-en-v1.5, run locally: 512 positions, and queries get its retrieval instruction. */
    public static final String BGE_SMALL_MODEL = "bge-small-en-v1.5";
    /** bge-small-en-v1.5 with int8 weights. */
    public static final String BGE_SMALL_INT8_MODEL = "bge-small-en-v1.5-q";
    /** Models run in the pipeline itself, needing no provider key. */
    public static final Set<String> LOCAL_MODELS = Set.of(LOCAL_MODEL, LOCAL_INT8_MODEL, BGE_SMALL_MODEL,
            BGE_SMALL_INT8_MODEL);
    /**
     * Input limit per model in tokens of the model's own tokenizer: a local model's word pieces (its
     * positions less [CLS] and [SEP]), or cl100k tokens for the OpenAI models (which need the customer's
     * provider key).
     */
    public static final Map<String, Integer> MODEL_INPUT_LIMITS = Map.of(
            LOCAL_MODEL, 254,
            LOCAL_INT8_MODEL, 254,
            BGE_SMALL_MODEL, 510,
            BGE_SMALL_INT8_MODEL, 510,
            "text-embedding-3-small", 8191,
            "text-embedding-3-large", 8191,
            "text-embedding-ada-002", 8191);
    public static final Set<String> SUPPORTED_MODELS = MODEL_INPUT_LIMITS.keySet();
    public static final int MIN_CHUNK_TOKENS = 16;
    public static final int MAX_REQUESTS_PER_MINUTE = 1_000_000;
    public static final int MAX_REQUESTS_PER_DAY = 1_000_000_000;
    public static final int MAX_DOCUMENTS = 10_000_000;
    public static final long MAX_FILE_BYTES = 1L << 40;

    public CustomerConfiguration {
        allowedContentTypes = allowedContentTypes == null ? Set.of() : Set.copyOf(new TreeSet<>(allowedContentTypes));
        // Configurations stored before budgets existed have no alert threshold.
        budgetAlertPercent = budgetAlertPercent == 0 ? DEFAULT_BUDGET_ALERT_PERCENT : budgetAlertPercent;
        // Configurations stored before retention existed keep the default.
        historyRetentionDays = historyRetentionDays == 0 ? DEFAULT_HISTORY_RETENTION_DAYS : historyRetentionDays;
    }

    /** Checks every rule and names the first field that breaks one. */
    public CustomerConfiguration validated() {
        require(requestsPerMinute >= 1 && requestsPerMinute <= MAX_REQUESTS_PER_MINUTE,
                "requestsPerMinute must be 1 to " + MAX_REQUESTS_PER_MINUTE);
        require(requestsPerDay >= requestsPerMinute && requestsPerDay <= MAX_REQUESTS_PER_DAY,
                "requestsPerDay must be at least requestsPerMinute and at most " + MAX_REQUESTS_PER_DAY);
        require(maxDocuments >= 1 && maxDocuments <= MAX_DOCUMENTS, "maxDocuments must be 1 to " + MAX_DOCUMENTS);
        require(maxFileBytes >= 1 && maxFileBytes <= MAX_FILE_BYTES, "maxFileBytes must be 1 to " + MAX_FILE_BYTES);
        require(!allowedContentTypes.isEmpty(), "allowedContentTypes must name at least one type");
        for (String type : allowedContentTypes) {
            require(SUPPORTED_CONTENT_TYPES.contains(type),
                    "allowedContentTypes: '" + type + "' is not supported; supported: " + new TreeSet<>(SUPPORTED_CONTENT_TYPES));
        }
        require(embeddingModel != null && SUPPORTED_MODELS.contains(embeddingModel),
                "embeddingModel must be one of " + new TreeSet<>(SUPPORTED_MODELS));
        require(monthlyBudgetUsd == null || (monthlyBudgetUsd.signum() >= 0 && monthlyBudgetUsd.scale() <= 6
                        && monthlyBudgetUsd.compareTo(new BigDecimal("1000000000")) <= 0),
                "monthlyBudgetUsd must be 0 to 1000000000 with at most 6 decimals, or null for no budget");
        require(rerankModel == null || RerankModel.SUPPORTED.containsKey(rerankModel),
                "rerankModel must be one of " + new TreeSet<>(RerankModel.SUPPORTED.keySet()));
        require(budgetAlertPercent >= 1 && budgetAlertPercent <= 100, "budgetAlertPercent must be 1 to 100");
        require(historyRetentionDays >= MIN_HISTORY_RETENTION_DAYS && historyRetentionDays <= MAX_HISTORY_RETENTION_DAYS,
                "historyRetentionDays must be " + MIN_HISTORY_RETENTION_DAYS + " to " + MAX_HISTORY_RETENTION_DAYS);
        int inputLimit = MODEL_INPUT_LIMITS.get(embeddingModel);
        require(chunkTokens >= MIN_CHUNK_TOKENS && chunkTokens <= inputLimit,
                "chunkTokens must be " + MIN_CHUNK_TOKENS + " to " + inputLimit + " for " + embeddingModel);
        require(chunkOverlapTokens >= 0 && chunkOverlapTokens <= chunkTokens / 2,
                "chunkOverlapTokens must be 0 to half of chunkTokens");
        require(chunkTokens + chunkOverlapTokens <= inputLimit,
                "chunkTokens plus chunkOverlapTokens must be at most " + inputLimit
                        + ", the input limit of " + embeddingModel);
        return this;
    }

    /** The budget in millionths of a dollar, or empty without a budget. */
    public OptionalLong monthlyBudgetMicroUsd() {
        return monthlyBudgetUsd == null ? OptionalLong.empty()
                : OptionalLong.of(monthlyBudgetUsd.movePointRight(6).longValueExact());
    }

    private static void require(boolean rule, String message) {
        if (!rule) {
            throw new DomainRuleViolation(message);
        }
    }
}
