package io.dynrag.api.search;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.dynrag.api.document.DocumentLookup;
import io.dynrag.api.document.DocumentStates;
import io.dynrag.api.document.DocumentView;
import io.dynrag.domain.document.DocumentStatus;
import io.dynrag.domain.search.SearchScope;
import io.dynrag.identity.access.Access;
import io.dynrag.identity.accounts.CustomerAccounts;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.platform.http.ApiProblem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Semantic search over the caller's own documents: as they are now, within one document, or as
 * they were at a past instant or in a past document version (time travel, for audits).
 */
public final class SearchEndpoints implements Consumer<RoutesConfig> {

    static final int DEFAULT_TOP_K = 10;
    static final int MAX_TOP_K = 100;
    static final int MAX_QUERY_CHARS = 2_000;

    private final Access access;
    private final ChunkSearch search;
    private final DocumentStates documents;
    private final CustomerAccounts accounts;
    private final DocumentLookup documentEvents;
    private final SearchHistory history;

    /** @param documentEvents documents as their events tell, which record the dataset version of each version */
    public SearchEndpoints(Access access, ChunkSearch search, DocumentStates documents, CustomerAccounts accounts,
                           DocumentLookup documentEvents, SearchHistory history) {
        this.access = access;
        this.search = search;
        this.documents = documents;
        this.accounts = accounts;
        this.documentEvents = documentEvents;
        this.history = history;
    }

    /**
     * @param asOf       an ISO-8601 instant: search the documents as they were then
     * @param documentId only this document
     * @param version    with {@code documentId}: that version of the document, as it was indexed
     */
    public record SearchRequest(String query, Integer topK, String asOf, String documentId, Integer version) {
    }

    /**
     * @param model          the embedding model whose dataset was searched; on time-travel searches
     * @param datasetVersion the dataset version that was searched; on time-travel searches
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SearchResponse(List<SearchHit> results, String model, Long datasetVersion) {
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.post("/v1/search", this::search);
    }

    private void search(Context ctx) {
        Access.CustomerCaller caller = access.customer(ctx, Scope.SEARCH);
        SearchRequest request = ctx.bodyAsClass(SearchRequest.class);
        if (request.query() == null || request.query().isBlank()) {
            throw ApiProblem.badRequest("'query' is required and must not be blank");
        }
        if (request.query().length() > MAX_QUERY_CHARS) {
            throw ApiProblem.badRequest("'query' must be at most " + MAX_QUERY_CHARS + " characters");
        }
        int topK = request.topK() == null ? DEFAULT_TOP_K : request.topK();
        if (topK < 1 || topK > MAX_TOP_K) {
            throw ApiProblem.badRequest("'topK' must be between 1 and " + MAX_TOP_K);
        }
        String customerId = caller.customerId();
        String query = request.query().strip();
        if (request.version() != null) {
            ctx.json(inVersion(customerId, request, query, topK));
        } else if (request.asOf() != null) {
            ctx.json(asOf(customerId, request, query, topK));
        } else {
            ctx.json(now(customerId, request, query, topK));
        }
    }

    private SearchResponse now(String customerId, SearchRequest request, String query, int topK) {
        String model = accounts.find(customerId).orElseThrow().configuration().embeddingModel();
        if (request.documentId() != null) {
            String documentId = existing(customerId, request.documentId()).documentId();
            return new SearchResponse(hits(customerId, model, query, topK,
                    SearchScope.LATEST.onlyDocument(documentId).excluding(documents.deletedAmong(customerId,
                            Set.of(documentId)))), model, null);
        }
        // A deleted document keeps its rows until the pipeline removes them, a moment later; asking
        // for a few more and dropping them is cheaper than filtering every search on every deletion.
        List<SearchHit> hits = hits(customerId, model, query, Math.min(topK + 20, 2 * topK), SearchScope.LATEST);
        Set<String> deleted = documents.deletedAmong(customerId,
                hits.stream().map(SearchHit::documentId).collect(Collectors.toSet()));
        return new SearchResponse(hits.stream()
                .filter(hit -> !deleted.contains(hit.documentId()))
                .limit(topK)
                .toList(), model, null);
    }

    private SearchResponse asOf(String customerId, SearchRequest request, String query, int topK) {
        Instant at = instant(request.asOf());
        SearchScope scope = SearchScope.LATEST;
        if (request.documentId() != null) {
            scope = scope.onlyDocument(existing(customerId, request.documentId()).documentId());
        }
        SearchHistory.PastIndex past = history.asOf(customerId, at);
        if (past.model().isEmpty() || past.datasetVersion().isEmpty()) {
            // Nothing was searchable yet: search answered no results then, so it does now.
            return new SearchResponse(List.of(), past.model().orElse(null), null);
        }
        String model = past.model().get();
        long datasetVersion = past.datasetVersion().getAsLong();
        return new SearchResponse(hits(customerId, model, query, topK,
                scope.atVersion(datasetVersion).excluding(past.deletedDocuments())), model, datasetVersion);
    }

    private SearchResponse inVersion(String customerId, SearchRequest request, String query, int topK) {
        if (request.documentId() == null) {
            throw ApiProblem.badRequest("'version' needs 'documentId': name the document whose version to search");
        }
        if (request.asOf() != null) {
            throw ApiProblem.badRequest("give either 'asOf' or 'version', not both: a version already names "
                    + "the moment it was indexed");
        }
        String documentId = existing(customerId, request.documentId()).documentId();
        DocumentView version = documentEvents.versions(customerId, documentId).stream()
                .filter(view -> view.version() == request.version())
                .findFirst()
                .orElseThrow(() -> ApiProblem.notFound("document " + documentId + " has no version "
                        + request.version()));
        if (!DocumentStatus.INDEXED.name().equals(version.status())) {
            throw new ApiProblem(409, "Conflict", "version " + version.version() + " of document " + documentId
                    + " is " + version.status()
                    + (version.failureReason() == null ? "" : " (" + version.failureReason() + ")")
                    + "; only indexed versions can be searched");
        }
        return new SearchResponse(hits(customerId, version.model(), query, topK,
                SearchScope.LATEST.atVersion(version.lanceVersion()).onlyDocument(documentId)),
                version.model(), version.lanceVersion());
    }

    private List<SearchHit> hits(String customerId, String model, String query, int topK, SearchScope scope) {
        try {
            return search.search(customerId, model, query, topK, scope);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(e.getMessage());
        }
    }

    /** Another tenant's document is not found, like an unknown one. */
    private DocumentStates.DocumentState existing(String customerId, String documentId) {
        return documents.find(customerId, documentId)
                .orElseThrow(() -> ApiProblem.notFound("no document " + documentId));
    }

    private static Instant instant(String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest("'asOf' must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, was '"
                    + value + "'");
        }
    }
}
