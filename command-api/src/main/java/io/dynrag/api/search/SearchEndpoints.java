package io.dynrag.api.search;

import io.dynrag.identity.access.Access;
import io.dynrag.identity.credentials.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.function.Consumer;

/** {@code POST /v1/search}: the caller's request handed to the {@link SearchService}. */
public final class SearchEndpoints implements Consumer<RoutesConfig> {

    private final Access access;
    private final SearchService search;

    public SearchEndpoints(Access access, SearchService search) {
        this.access = access;
        this.search = search;
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.post("/v1/search", this::search);
    }

    private void search(Context ctx) {
        Access.CustomerCaller caller = access.customer(ctx, Scope.SEARCH);
        ctx.json(search.search(caller.customerId(), ctx.bodyAsClass(SearchService.SearchRequest.class)));
    }
}
