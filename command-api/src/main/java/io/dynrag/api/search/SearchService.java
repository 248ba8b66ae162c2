package io.dynrag.api.search;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.dynrag.api.document.DocumentListItem;
import io.dynrag.api.document.DocumentListing;
import io.dynrag.api.document.DocumentNotFoundException;
import io.dynrag.api.document.DocumentStates;
import io.dynrag.api.document.DocumentView;
import io.dynrag.api.document.EventStoreDocumentLookup;
import io.dynrag.api.document.PastDocumentList;
import io.dynrag.domain.DomainRuleViolation;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.customer.HistoryRetention;
import io.dynrag.domain.document.DocumentStatus;
import io.dynrag.domain.search.RerankModel;
import io.dynrag.domain.search.SearchOptions;
import io.dynrag.domain.search.SearchScope;
import io.dynrag.identity.accounts.CustomerAccounts;
import io.dynrag.platform.http.QueryParameters;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Search over a customer's own documents, the one path every surface takes (the REST endpoint now,
 * others later): as they are now, within one document, or as they were at a past instant or in a
 * past document version (time travel, for audits), in any {@link io.dynrag.domain.search.SearchMode}.
 * A deleted document is found by none of them, and a search within it answers like one within an unknown document.
 * Refusals are the exceptions {@code Refusals} maps: {@link DomainRuleViolation} for bad input,
 * {@link DocumentNotFoundException}, {@link VersionNotFoundException}, {@link VersionNotSearchableException},
 * {@link HistoryNotRetainedException} for an {@code asOf} before the customer's retained history, or a document
 * version replaced before it.
 */
public final class SearchService {

    static final int DEFAULT_TOP_K = 10;
    static final int MAX_TOP_K = 100;
    static final int MAX_QUERY_CHARS = 2_000;
    /** A reranked search lets the provider choose among this many times topK candidates (at most MAX_TOP_K). */
    static final int RERANK_CANDIDATES_PER_HIT = 3;

    private final ChunkSearch search;
    private final DocumentStates documents;
    private final CustomerAccounts accounts;
    private final EventStoreDocumentLookup documentEvents;
    private final SearchHistory history;
    private final DocumentListing listing;
    private final PastDocumentList pastListing;
    private final Reranker reranker;
    private final HistoryRetention retention;

    /**
     * @param documentEvents documents as their events tell, at any instant: the dataset version of each
     *                       version, and the title and metadata each hit is described with at a past instant
     * @param listing        the documents as they are now (the read model): those a filter keeps, and the title
     *                       and metadata of the hits of a search of now
     * @param pastListing    the documents as they were at an instant: those a filter kept then
     * @param reranker       the customer's rerank provider, asked only by searches with {@code rerank}
     * @param retention      how far back a customer's searches may travel ({@code asOf})
     */
    public SearchService(ChunkSearch search, DocumentStates documents, CustomerAccounts accounts,
                         EventStoreDocumentLookup documentEvents, SearchHistory history, DocumentListing listing,
                         PastDocumentList pastListing, Reranker reranker, HistoryRetention retention) {
        this.search = search;
        this.documents = documents;
        this.accounts = accounts;
        this.documentEvents = documentEvents;
        this.history = history;
        this.listing = listing;
        this.pastListing = pastListing;
        this.reranker = reranker;
        this.retention = retention;
    }

    /**
     * @param asOf                 an ISO-8601 instant: search the documents as they were then
     * @param documentId           only this document
     * @param version              with {@code documentId}: that version of the document, as it was indexed
     * @param mode                 {@code hybrid} (default), {@code vector} or {@code keyword}
     * @param keywordWeight        hybrid only: the keyword ranking's share of the fused score, 0 to 1 (default: by the
     *                             query's shape, 0.5 for lookups, 0.3 for worded questions)
     * @param maxChunksPerDocument at most this many hits of one document
     * @param minScore             no hit whose score is lower
     * @param filter               a filter object (docs/api.md): only documents it keeps, as they are now, or
     *                             as they were at {@code asOf}; with {@code version}, the document as it is now
     * @param documentIds          only these documents (with {@code documentId}: those of both); ids of no
     *                             document of the customer keep nothing
     * @param rerank               reorder the hits with the customer's rerank model (default false)
     */
    public record SearchRequest(String query, Integer topK, String asOf, String documentId, Integer version,
                                String mode, Double keywordWeight, Integer maxChunksPerDocument, Double minScore,
                                Object filter, List<String> documentIds, Boolean rerank) {
    }

    /**
     * @param model          the embedding model whose dataset was searched; on time-travel searches
     * @param datasetVersion the dataset version that was searched; on time-travel searches
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SearchResponse(List<SearchHit> results, String model, Long datasetVersion) {
    }

    public SearchResponse search(String customerId, SearchRequest request) {
        if (request.query() == null || request.query().isBlank()) {
            throw new DomainRuleViolation("'query' is required and must not be blank");
        }
        if (request.query().length() > MAX_QUERY_CHARS) {
            throw new DomainRuleViolation("'query' must be at most " + MAX_QUERY_CHARS + " characters");
        }
        int topK = request.topK() == null ? DEFAULT_TOP_K : request.topK();
        if (topK < 1 || topK > MAX_TOP_K) {
            throw new DomainRuleViolation("'topK' must be between 1 and " + MAX_TOP_K);
        }
        SearchOptions options = SearchOptions.of(request.mode(), request.keywordWeight(),
                request.maxChunksPerDocument(), request.minScore());
        RerankModel rerankModel = Boolean.TRUE.equals(request.rerank()) ? rerankModel(customerId) : null;
        int candidates = rerankModel == null ? topK : Math.min(topK * RERANK_CANDIDATES_PER_HIT, MAX_TOP_K);
        Searched searched = new Searched(customerId, request.query().strip(), candidates, options,
                DocumentSelection.of(request.filter(), request.documentIds()));
        if (request.version() != null) {
            return describedNow(customerId, reranked(searched, rerankModel, topK, inVersion(searched, request)));
        }
        if (request.asOf() != null) {
            Instant at = instant(request.asOf());
            return describedAsOf(customerId, reranked(searched, rerankModel, topK, asOf(searched, request, at)), at);
        }
        return describedNow(customerId, reranked(searched, rerankModel, topK, now(searched, request)));
    }

    private RerankModel rerankModel(String customerId) {
        String model = accounts.find(customerId).orElseThrow().configuration().rerankModel();
        if (model == null) {
            throw new DomainRuleViolation("'rerank' needs a rerank model: choose one as rerankModel with "
                    + "PUT /v1/customer/config (and store its provider's key) first");
        }
        return RerankModel.SUPPORTED.get(model);
    }

    /**
     * The candidates in the order of the rerank model's relevance, each with its {@code rerankScore}, the
     * {@code topK} most relevant kept; without a model, the hits as found.
     */
    private SearchResponse reranked(Searched searched, RerankModel model, int topK, SearchResponse found) {
        if (model == null || found.results().isEmpty()) {
            return found;
        }
        List<SearchHit> candidates = found.results();
        List<SearchHit> hits = reranker.rerank(searched.customerId(), model, searched.query(),
                        candidates.stream().map(SearchHit::text).toList(), topK).relevances().stream()
                .map(relevance -> candidates.get(relevance.index()).reranked(relevance.score()))
                .toList();
        return new SearchResponse(hits, found.model(), found.datasetVersion());
    }

    /**
     * Each hit with its document's title and metadata as they are now, read from the read model in one query; a
     * document the read model does not show yet (it lags by a moment) from its events.
     */
    private SearchResponse describedNow(String customerId, SearchResponse response) {
        Set<String> hitDocuments = response.results().stream().map(SearchHit::documentId).collect(Collectors.toSet());
        Map<String, DocumentListItem> listed = listing.listed(customerId, hitDocuments).stream()
                .collect(Collectors.toMap(DocumentListItem::documentId, item -> item));
        Map<String, Optional<DocumentView>> fromEvents = new HashMap<>();
        List<SearchHit> hits = response.results().stream()
                .map(hit -> Optional.ofNullable(listed.get(hit.documentId()))
                        .map(item -> hit.describedAs(item.title(), item.metadata()))
                        .orElseGet(() -> fromEvents.computeIfAbsent(hit.documentId(),
                                        documentId -> documentEvents.findAsOf(customerId, documentId, Instant.MAX))
                                .map(view -> hit.describedAs(view.title(), view.metadata())).orElse(hit)))
                .toList();
        return new SearchResponse(hits, response.model(), response.datasetVersion());
    }

    /** Each hit with its document's title and metadata as they were at {@code at}, read from its events. */
    private SearchResponse describedAsOf(String customerId, SearchResponse response, Instant at) {
        Map<String, Optional<DocumentView>> documentsThen = new HashMap<>();
        List<SearchHit> hits = response.results().stream()
                .map(hit -> documentsThen.computeIfAbsent(hit.documentId(),
                                documentId -> documentEvents.findAsOf(customerId, documentId, at))
                        .map(view -> hit.describedAs(view.title(), view.metadata())).orElse(hit))
                .toList();
        return new SearchResponse(hits, response.model(), response.datasetVersion());
    }

    /** What every search of one request shares. */
    private record Searched(String customerId, String query, int topK, SearchOptions options,
                            DocumentSelection selection) {
    }

    private SearchResponse now(Searched searched, SearchRequest request) {
        String customerId = searched.customerId();
        String model = accounts.find(customerId).orElseThrow().configuration().embeddingModel();
        SearchScope scope = SearchScope.LATEST;
        if (request.documentId() != null) {
            scope = scope.onlyDocument(existing(customerId, request.documentId()).documentId());
        }
        scope = searched.selection().now(scope, customerId, listing);
        if (DocumentSelection.keepsNothing(scope)) {
            return new SearchResponse(List.of(), model, null);
        }
        return new SearchResponse(hits(searched, model, scope), model, null);
    }

    private SearchResponse asOf(Searched searched, SearchRequest request, Instant at) {
        CustomerConfiguration configuration = accounts.find(searched.customerId()).orElseThrow().configuration();
        Instant earliest = retention.windowStart(configuration, Instant.now());
        if (at.isBefore(earliest)) {
            throw new HistoryNotRetainedException(at, earliest, retention.of(configuration).toDays());
        }
        SearchScope scope = SearchScope.LATEST;
        if (request.documentId() != null) {
            scope = scope.onlyDocument(existing(searched.customerId(), request.documentId()).documentId());
        }
        SearchHistory.PastIndex past = history.asOf(searched.customerId(), at);
        if (past.model().isEmpty() || past.datasetVersion().isEmpty()) {
            // Nothing was searchable yet: search answered no results then, so it does now.
            return new SearchResponse(List.of(), past.model().orElse(null), null);
        }
        String model = past.model().get();
        long datasetVersion = past.datasetVersion().getAsLong();
        scope = searched.selection().asOf(scope, searched.customerId(), at, pastListing);
        if (DocumentSelection.keepsNothing(scope)) {
            return new SearchResponse(List.of(), model, datasetVersion);
        }
        return new SearchResponse(hits(searched, model, scope.atVersion(datasetVersion)), model, datasetVersion);
    }

    private SearchResponse inVersion(Searched searched, SearchRequest request) {
        if (request.documentId() == null) {
            throw new DomainRuleViolation("'version' needs 'documentId': name the document whose version to search");
        }
        if (request.asOf() != null) {
            throw new DomainRuleViolation("give either 'asOf' or 'version', not both: a version already names "
                    + "the moment it was indexed");
        }
        String documentId = existing(searched.customerId(), request.documentId()).documentId();
        List<DocumentView> versions = documentEvents.versions(searched.customerId(), documentId);
        DocumentView version = versions.stream()
                .filter(view -> view.version() == request.version())
                .findFirst()
                .orElseThrow(() -> new VersionNotFoundException(documentId, request.version()));
        if (!DocumentStatus.INDEXED.name().equals(version.status())) {
            throw new VersionNotSearchableException("version " + version.version() + " of document " + documentId
                    + " is " + version.status()
                    + (version.failureReason() == null ? "" : " (" + version.failureReason() + ")")
                    + "; only indexed versions can be searched");
        }
        long datasetVersion = history.readable(searched.customerId(), version.model(), version.lanceVersion(),
                        () -> versions.stream().filter(view -> DocumentStatus.INDEXED.name().equals(view.status()))
                                .mapToInt(DocumentView::version).max().orElse(0) == version.version())
                .orElseThrow(() -> new HistoryNotRetainedException(documentId, version.version()));
        SearchScope scope = searched.selection().now(
                SearchScope.LATEST.atVersion(datasetVersion).onlyDocument(documentId), searched.customerId(), listing);
        if (DocumentSelection.keepsNothing(scope)) {
            return new SearchResponse(List.of(), version.model(), datasetVersion);
        }
        return new SearchResponse(hits(searched, version.model(), scope), version.model(), datasetVersion);
    }

    /**
     * The best rows of the scope that belong to no deleted document: the one place deletions are applied, so a
     * deleted document is found by no search, now, {@code asOf} or of a version, in any mode. Excluded in the
     * scope rather than dropped from the hits, so that they are not candidates (hybrid ranks count every
     * candidate) and the search still returns the {@code topK} best of the other rows.
     */
    private List<SearchHit> hits(Searched searched, String model, SearchScope scope) {
        String customerId = searched.customerId();
        // A past dataset version keeps the rows of every document deleted since (its versions are history), so
        // every deleted document is excluded at once. The latest version loses a deleted document's rows when
        // the pipeline removes them, a moment after the deletion: filtering every search on every deletion would
        // cost more than searching again, without the deleted documents among the hits, in that moment.
        Set<String> excluded = new HashSet<>(scope.datasetVersion().isPresent()
                ? documents.deletedOf(customerId) : Set.of());
        while (true) {
            List<SearchHit> hits = searched(searched, model, scope.excluding(excluded));
            Set<String> deleted = documents.deletedAmong(customerId,
                    hits.stream().map(SearchHit::documentId).collect(Collectors.toSet()));
            if (deleted.isEmpty()) {
                return hits;
            }
            excluded.addAll(deleted);
        }
    }

    private List<SearchHit> searched(Searched searched, String model, SearchScope scope) {
        try {
            return search.search(searched.customerId(), model, searched.query(), searched.topK(), scope,
                    searched.options());
        } catch (IllegalArgumentException e) {
            throw new DomainRuleViolation(e.getMessage());
        }
    }

    /**
     * Another tenant's document is not found, like an unknown one; so is a deleted one, whose searches (of any
     * version or instant) would find nothing.
     */
    private DocumentStates.DocumentState existing(String customerId, String documentId) {
        return documents.find(customerId, documentId).filter(state -> !state.deleted())
                .orElseThrow(() -> new DocumentNotFoundException(documentId));
    }

    private static Instant instant(String value) {
        try {
            Instant at = Instant.parse(value);
            if (QueryParameters.ofFourDigitYear(at)) {
                return at;
            }
        } catch (DateTimeParseException ignored) {
            // answered below
        }
        throw new DomainRuleViolation("'asOf' must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, of a year "
                + "from 0000 to 9999, was '" + value + "'");
    }
}
