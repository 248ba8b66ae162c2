package io.dynrag.app.roles;

import io.dynrag.api.usage.UsageReports;
import io.dynrag.platform.http.Json;
import io.dynrag.projections.usage.UsageCatalog;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** The usage projection, answering the API's usage and metrics queries. */
final class ProjectedUsage implements UsageReports {

    private final UsageCatalog catalog;

    ProjectedUsage(UsageCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public List<Period> usage(String customerId, LocalDate from, LocalDate to, Granularity granularity) {
        return catalog.usage(customerId, from, to, UsageCatalog.Granularity.valueOf(granularity.name())).stream()
                .map(period -> new Period(period.start(), counters(period.counters())))
                .toList();
    }

    @Override
    public Counters total(String customerId, LocalDate from, LocalDate to) {
        return counters(catalog.total(customerId, from, to));
    }

    @Override
    public List<DocumentUsage> documents(String customerId, int limit) {
        return catalog.documents(customerId, limit).stream()
                .map(row -> new DocumentUsage(row.documentId(), row.title(), row.versions(), row.indexedVersions(),
                        row.bytes(), row.chunks(), row.embeddedTokens(), row.reusedTokens(), row.meteredTokens(),
                        Json.usd(row.costMicroUsd()), row.deleted()))
                .toList();
    }

    @Override
    public List<CustomerUsage> topConsumers(LocalDate from, LocalDate to, int limit) {
        return catalog.topConsumers(from, to, limit).stream()
                .map(row -> new CustomerUsage(row.customerId(), counters(row.counters())))
                .toList();
    }

    @Override
    public Counters total(LocalDate from, LocalDate to) {
        return counters(catalog.total(from, to));
    }

    @Override
    public Map<String, Long> documentsByStatus(String customerId) {
        return catalog.documentsByStatus(customerId);
    }

    private static Counters counters(UsageCatalog.Counters c) {
        return new Counters(c.documentsUploaded(), c.documentsIndexed(), c.documentsFailed(), c.documentsDeleted(),
                c.bytes(), c.pages(), c.chunks(), c.embeddedTokens(), c.reusedTokens(), c.meteredTokens(),
                Json.usd(c.costMicroUsd()), c.searchQueries(), c.apiCalls(), c.rerankedSearches(),
                c.rerankedDocuments(), c.rerankTokens(), Json.usd(c.rerankCostMicroUsd()));
    }
}
