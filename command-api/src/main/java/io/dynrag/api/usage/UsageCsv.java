package io.dynrag.api.usage;

import java.util.List;

/** Usage periods as CSV (RFC 4180, a header row, one row per period), for spreadsheets and billing tools. */
final class UsageCsv {

    static final String HEADER = "period_start,documents_uploaded,documents_indexed,documents_failed,"
            + "documents_deleted,bytes,pages,chunks,embedded_tokens,reused_tokens,metered_tokens,cost_usd,"
            + "search_queries,api_calls,reranked_searches,reranked_documents,rerank_tokens,rerank_cost_usd";

    private UsageCsv() {
    }

    static String of(List<UsageReports.Period> periods) {
        StringBuilder csv = new StringBuilder(HEADER).append("\r\n");
        for (UsageReports.Period period : periods) {
            UsageReports.Counters c = period.usage();
            csv.append(period.start()).append(',')
                    .append(c.documentsUploaded()).append(',').append(c.documentsIndexed()).append(',')
                    .append(c.documentsFailed()).append(',').append(c.documentsDeleted()).append(',')
                    .append(c.bytes()).append(',').append(c.pages()).append(',').append(c.chunks()).append(',')
                    .append(c.embeddedTokens()).append(',').append(c.reusedTokens()).append(',')
                    .append(c.meteredTokens()).append(',').append(c.costUsd().toPlainString()).append(',')
                    .append(c.searchQueries()).append(',').append(c.apiCalls()).append(',')
                    .append(c.rerankedSearches()).append(',').append(c.rerankedDocuments()).append(',')
                    .append(c.rerankTokens()).append(',').append(c.rerankCostUsd().toPlainString()).append("\r\n");
        }
        return csv.toString();
    }
}
