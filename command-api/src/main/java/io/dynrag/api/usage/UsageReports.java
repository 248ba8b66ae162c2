package io.dynrag.api.usage;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** The usage read model, as the API reports it. */
public interface UsageReports {

    enum Granularity { DAY, MONTH }

    /**
     * What was used in a period; costs in US dollars.
     *
     * @param costUsd           what embedding cost
     * @param rerankedSearches  calls of the customer's rerank provider
     * @param rerankedDocuments candidates they sent
     * @param rerankTokens      tokens of the queries and candidates sent
     * @param rerankCostUsd     what reranked searches cost
     */
    record Counters(long documentsUploaded, long documentsIndexed, long documentsFailed, long documentsDeleted,
                    long bytes, long pages, long chunks, long embeddedTokens, long reusedTokens, long meteredTokens,
                    BigDecimal costUsd, long searchQueries, long apiCalls, long rerankedSearches,
                    long rerankedDocuments, long rerankTokens, BigDecimal rerankCostUsd) {
    }

    record Period(LocalDate start, Counters usage) {
    }

    record DocumentUsage(String documentId, String title, int versions, int indexedVersions, long bytes,
                         long chunks, long embeddedTokens, long reusedTokens, long meteredTokens, BigDecimal costUsd,
                         boolean deleted) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CustomerUsage(String customerId, Counters usage) {
    }

    List<Period> usage(String customerId, LocalDate from, LocalDate to, Granularity granularity);

    Counters total(String customerId, LocalDate from, LocalDate to);

    List<DocumentUsage> documents(String customerId, int limit);

    List<CustomerUsage> topConsumers(LocalDate from, LocalDate to, int limit);

    Counters total(LocalDate from, LocalDate to);

    Map<String, Long> documentsByStatus(String customerId);
}
