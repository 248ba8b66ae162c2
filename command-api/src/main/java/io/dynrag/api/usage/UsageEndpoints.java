package io.dynrag.api.usage;

import io.dynrag.identity.access.Access;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.http.QueryParameters;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Usage and the metrics views built on it: what a customer used, per day or month, per document,
 * and, for operators, across customers. Days are UTC.
 */
public final class UsageEndpoints implements Consumer<RoutesConfig> {

    static final int MAX_DAYS = 366;
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 1_000;

    private final Access access;
    private final UsageReports reports;
    private final Clock clock;

    public UsageEndpoints(Access access, UsageReports reports, Clock clock) {
        this.access = access;
        this.reports = reports;
        this.clock = clock;
    }

    public record UsageResponse(LocalDate from, LocalDate to, String granularity, UsageReports.Counters total,
                                List<UsageReports.Period> periods) {
    }

    public record DocumentsResponse(List<UsageReports.DocumentUsage> documents) {
    }

    public record AdminUsageResponse(LocalDate from, LocalDate to, UsageReports.Counters total,
                                     List<UsageReports.CustomerUsage> topConsumers) {
    }

    /** @param costUsd embedding cost; reranked searches cost {@code rerankCostUsd} on top */
    public record Overview(String month, Map<String, Long> documentsByStatus, long embeddedTokens,
                           long meteredTokens, BigDecimal costUsd, long searchQueries, long apiCalls,
                           long rerankedSearches, BigDecimal rerankCostUsd) {
    }

    /** @param costUsd embedding cost; reranked searches cost {@code rerankCostUsd} on top */
    public record CostPoint(LocalDate day, BigDecimal costUsd, long embeddedTokens, BigDecimal rerankCostUsd) {
    }

    public record CostOverTime(LocalDate from, LocalDate to, List<CostPoint> days) {
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.get("/v1/usage", this::usage);
        routes.get("/v1/usage/documents", this::documents);
        routes.get("/v1/admin/usage", this::adminUsage);
        routes.get("/v1/metrics/overview", this::overview);
        routes.get("/v1/metrics/cost", this::cost);
        routes.get("/v1/metrics/tokens-per-document", this::documents);
    }

    private void usage(Context ctx) {
        String customerId = access.customer(ctx, Scope.READ).customerId();
        Range range = range(ctx);
        UsageReports.Granularity granularity = granularity(ctx.queryParam("granularity"));
        List<UsageReports.Period> periods = reports.usage(customerId, range.from(), range.to(), granularity);
        UsageResponse response = new UsageResponse(range.from(), range.to(), granularity.name().toLowerCase(Locale.ROOT),
                reports.total(customerId, range.from(), range.to()), periods);
        if (Optional.ofNullable(ctx.header("Accept")).orElse("").contains("text/csv")) {
            ctx.contentType("text/csv; charset=utf-8").result(UsageCsv.of(periods));
            return;
        }
        ctx.json(response);
    }

    private void documents(Context ctx) {
        String customerId = access.customer(ctx, Scope.READ).customerId();
        ctx.json(new DocumentsResponse(reports.documents(customerId, limit(ctx))));
    }

    private void adminUsage(Context ctx) {
        access.admin(ctx);
        Range range = range(ctx);
        ctx.json(new AdminUsageResponse(range.from(), range.to(), reports.total(range.from(), range.to()),
                reports.topConsumers(range.from(), range.to(), limit(ctx))));
    }

    private void overview(Context ctx) {
        String customerId = access.customer(ctx, Scope.READ).customerId();
        LocalDate today = today();
        LocalDate monthStart = today.withDayOfMonth(1);
        UsageReports.Counters month = reports.total(customerId, monthStart, today);
        ctx.json(new Overview(monthStart.toString().substring(0, 7), reports.documentsByStatus(customerId),
                month.embeddedTokens(), month.meteredTokens(), month.costUsd(), month.searchQueries(),
                month.apiCalls(), month.rerankedSearches(), month.rerankCostUsd()));
    }

    private void cost(Context ctx) {
        String customerId = access.customer(ctx, Scope.READ).customerId();
        Range range = range(ctx);
        List<CostPoint> days = reports.usage(customerId, range.from(), range.to(), UsageReports.Granularity.DAY)
                .stream()
                .map(period -> new CostPoint(period.start(), period.usage().costUsd(), period.usage().embeddedTokens(),
                        period.usage().rerankCostUsd()))
                .toList();
        ctx.json(new CostOverTime(range.from(), range.to(), days));
    }

    private record Range(LocalDate from, LocalDate to) {
    }

    /** {@code from} and {@code to} (inclusive, yyyy-MM-dd); by default the current month up to today. */
    private Range range(Context ctx) {
        LocalDate today = today();
        LocalDate from = date(ctx.queryParam("from"), "from", today.withDayOfMonth(1));
        LocalDate to = date(ctx.queryParam("to"), "to", today);
        if (to.isBefore(from)) {
            throw ApiProblem.badRequest("'to' must not be before 'from'");
        }
        if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
            throw ApiProblem.badRequest("the range may cover at most " + MAX_DAYS + " days");
        }
        return new Range(from, to);
    }

    private static LocalDate date(String value, String name, LocalDate fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return LocalDate.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest("'" + name + "' must be a date like 2026-11-01");
        }
    }

    private static UsageReports.Granularity granularity(String value) {
        if (value == null || value.isBlank() || value.equals("day")) {
            return UsageReports.Granularity.DAY;
        }
        if (value.equals("month")) {
            return UsageReports.Granularity.MONTH;
        }
        throw ApiProblem.badRequest("'granularity' must be day or month");
    }

    private static int limit(Context ctx) {
        return QueryParameters.limit(ctx, DEFAULT_LIMIT, MAX_LIMIT);
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }
}
