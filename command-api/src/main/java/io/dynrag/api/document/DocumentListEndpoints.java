package io.dynrag.api.document;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.domain.document.DocumentMetadata;
import io.dynrag.domain.document.DocumentQuery;
import io.dynrag.domain.document.DocumentStatus;
import io.dynrag.domain.document.filter.DocumentFilter;
import io.dynrag.domain.document.filter.FilterParser;
import io.dynrag.identity.access.Access;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.http.Json;
import io.dynrag.platform.http.QueryParameters;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.Collectors;

/** {@code GET /v1/documents}: the caller's documents, filtered, sorted and paged by cursor. */
public final class DocumentListEndpoints implements Consumer<RoutesConfig> {

    private static final String METADATA = "metadata.";
    private static final ObjectMapper JSON = Json.apiMapper();
    private static final Set<String> PARAMETERS = Set.of("limit", "cursor", "status", "contentType", "createdAfter",
            "createdBefore", "updatedAfter", "updatedBefore", "titlePrefix", "sort", "order", "asOf", "filter");
    /** A version's statuses, and the deleted document's. */
    private static final Set<String> STATUSES = Stream.concat(
            Arrays.stream(DocumentStatus.values()).map(Enum::name), Stream.of("DELETED"))
            .collect(Collectors.toCollection(LinkedHashSet::new));

    private final Access access;
    private final DocumentListing listing;
    private final PastDocumentList past;

    /**
     * @param listing the documents read model
     * @param past    the list as it was at an earlier instant ({@code ?asOf=})
     */
    public DocumentListEndpoints(Access access, DocumentListing listing, PastDocumentList past) {
        this.access = access;
        this.listing = listing;
        this.past = past;
    }

    /** @param nextCursor the next page's cursor; absent on the last page */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DocumentPage(List<DocumentListItem> documents, String nextCursor) {
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.get("/v1/documents", this::list);
    }

    private void list(Context ctx) {
        String customerId = access.customer(ctx, Scope.READ).customerId();
        ctx.json(page(customerId, ctx.queryParamMap()));
    }

    /**
     * The page the list's query parameters ask for, each parameter with its values; also the MCP tool's, whose
     * arguments are these parameters.
     */
    public DocumentPage page(String customerId, Map<String, List<String>> parameters) {
        DocumentQuery query = query(parameters, customerId);
        Optional<Instant> asOf = QueryParameters.instant("asOf", first(parameters, "asOf"));
        List<DocumentListItem> found = asOf.isPresent() ? past.list(query.oneMore(), asOf.get())
                : listing.list(query.oneMore());
        if (found.size() <= query.limit()) {
            return new DocumentPage(found, null);
        }
        List<DocumentListItem> page = found.subList(0, query.limit());
        return new DocumentPage(page, DocumentListCursor.after(query.sort(), query.descending(), page.getLast()));
    }

    private static DocumentQuery query(Map<String, List<String>> parameters, String customerId) {
        Map<String, List<String>> metadata = new LinkedHashMap<>();
        parameters.forEach((name, values) -> {
            if (values.stream().anyMatch(value -> value.indexOf('\u0000') >= 0)) {
                // PostgreSQL cannot compare with U+0000: refused here rather than failing the query.
                throw ApiProblem.badRequest("'" + name + "' must not contain the NUL character (U+0000)");
            }
            if (name.startsWith(METADATA)) {
                String key = name.substring(METADATA.length());
                if (!DocumentMetadata.isKey(key)) {
                    throw ApiProblem.badRequest("'" + name + "' names no metadata key: keys are 1-64 letters, digits, "
                            + "'_', '.' and '-'");
                }
                metadata.put(key, List.copyOf(values));
            } else if (!PARAMETERS.contains(name)) {
                throw ApiProblem.badRequest("unknown parameter '" + name + "': the list takes " + String.join(", ",
                        PARAMETERS.stream().sorted().toList()) + " and metadata.<key>");
            }
        });
        DocumentQuery.Sort sort = sort(first(parameters, "sort"));
        boolean descending = descending(first(parameters, "order"), sort);
        String cursor = first(parameters, "cursor");
        DocumentQuery.Position after = cursor == null || cursor.isBlank() ? null
                : DocumentListCursor.position(cursor.strip(), sort, descending).orElseThrow(() -> ApiProblem.badRequest(
                        "'cursor' is not a cursor this list handed out for this order; pass a page's 'nextCursor' "
                                + "as it is, with the same 'sort' and 'order'"));
        String titlePrefix = first(parameters, "titlePrefix");
        return new DocumentQuery(customerId, statuses(parameters), listed(parameters, "contentType"),
                instant(parameters, "createdAfter"), instant(parameters, "createdBefore"),
                instant(parameters, "updatedAfter"), instant(parameters, "updatedBefore"),
                titlePrefix == null || titlePrefix.isEmpty() ? null : titlePrefix, metadata,
                filter(first(parameters, "filter")), sort, descending, after,
                QueryParameters.limit(first(parameters, "limit"), DocumentQuery.DEFAULT_LIMIT, DocumentQuery.MAX_LIMIT));
    }

    /** The parameter's first value, as a query string's parameter reads. */
    private static String first(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.getOrDefault(name, List.of());
        return values.isEmpty() ? null : values.getFirst();
    }

    /**
     * The {@code filter} parameter: a filter object as JSON (the search's filter language); refusals name the
     * offending part by its JSON Pointer within the parameter.
     */
    private static DocumentFilter filter(String json) {
        if (json == null || json.isBlank()) {
            return DocumentFilter.EVERYTHING;
        }
        Object parsed;
        try {
            parsed = JSON.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            throw ApiProblem.badRequest("'filter' must hold a JSON object such as {\"metadata.team\": \"search\"}: "
                    + e.getOriginalMessage());
        }
        if (parsed == null) {
            throw ApiProblem.badRequest("'filter' must hold a JSON object, not null");
        }
        return FilterParser.parse(parsed, json.getBytes(StandardCharsets.UTF_8).length, "");
    }

    private static Set<String> statuses(Map<String, List<String>> parameters) {
        Set<String> statuses = listed(parameters, "status").stream().map(status -> status.toUpperCase(Locale.ROOT))
                .collect(Collectors.toSet());
        statuses.stream().filter(status -> !STATUSES.contains(status)).findFirst().ifPresent(status -> {
            throw ApiProblem.badRequest("'status' must be one or more (comma-separated) of " + STATUSES + ", not '"
                    + status + "'");
        });
        return statuses;
    }

    /** Comma-separated values, also over repeated parameters. */
    private static Set<String> listed(Map<String, List<String>> parameters, String name) {
        return parameters.getOrDefault(name, List.of()).stream().flatMap(value -> Arrays.stream(value.split(",")))
                .map(String::strip).filter(value -> !value.isEmpty()).collect(Collectors.toSet());
    }

    private static Instant instant(Map<String, List<String>> parameters, String name) {
        return QueryParameters.instant(name, first(parameters, name)).orElse(null);
    }

    private static DocumentQuery.Sort sort(String value) {
        if (value == null || value.isBlank()) {
            return DocumentQuery.Sort.UPDATED_AT;
        }
        return switch (value.strip()) {
            case "updatedAt" -> DocumentQuery.Sort.UPDATED_AT;
            case "createdAt" -> DocumentQuery.Sort.CREATED_AT;
            case "title" -> DocumentQuery.Sort.TITLE;
            default -> throw ApiProblem.badRequest("'sort' must be updatedAt, createdAt or title, not '" + value + "'");
        };
    }

    /** Newest first for the times, A to Z for titles, unless {@code order} says otherwise. */
    private static boolean descending(String value, DocumentQuery.Sort sort) {
        if (value == null || value.isBlank()) {
            return sort != DocumentQuery.Sort.TITLE;
        }
        return switch (value.strip()) {
            case "asc" -> false;
            case "desc" -> true;
            default -> throw ApiProblem.badRequest("'order' must be asc or desc, not '" + value + "'");
        };
    }
}
