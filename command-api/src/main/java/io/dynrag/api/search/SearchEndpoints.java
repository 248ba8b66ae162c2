package io.dynrag.api.search;

import io.dynrag.api.auth.Scope;
import io.dynrag.api.customer.CustomerAccounts;
import io.dynrag.api.document.DocumentStates;
import io.dynrag.api.http.Access;
import io.dynrag.api.http.ApiProblem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** Semantic search over the caller's own documents. */
public final class SearchEndpoints implements Consumer<RoutesConfig> {

    static final int DEFAULT_TOP_K = 10;
    static final int MAX_TOP_K = 100;
    static final int MAX_QUERY_CHARS = 2_000;

    private final Access access;
    private final ChunkSearch search;
    private final DocumentStates documents;
    private final CustomerAccounts accounts;

    public SearchEndpoints(Access access, ChunkSearch search, DocumentStates documents, CustomerAccounts accounts) {
        this.access = access;
        this.search = search;
        this.documents = documents;
        this.accounts = accounts;
    }

    public record SearchRequest(String query, Integer topK) {
    }

    public record SearchResponse(List<SearchHit> results) {
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
        List<SearchHit> hits;
        try {
            // A deleted document keeps its rows until the pipeline removes them; ask for a few more to make up.
            String model = accounts.find(caller.customerId()).orElseThrow().configuration().embeddingModel();
            hits = search.search(caller.customerId(), model, request.query().strip(), Math.min(topK + 20, 2 * topK));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(e.getMessage());
        }
        Set<String> deleted = documents.deletedAmong(caller.customerId(),
                hits.stream().map(SearchHit::documentId).collect(Collectors.toSet()));
        ctx.json(new SearchResponse(hits.stream()
                .filter(hit -> !deleted.contains(hit.documentId()))
                .limit(topK)
                .toList()));
    }
}
