package io.dynrag.api.usage;

import io.dynrag.identity.access.Access;
import io.dynrag.identity.credentials.Principal;
import io.dynrag.schemas.usage.UsageKind;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.util.function.Consumer;

/**
 * The one place that meters requests: every request a customer made with valid credentials is an
 * API call, and every search that answered is also a search query. Requests that never got past
 * authentication are not the customer's usage and are not counted.
 */
public final class UsageRecording implements Consumer<RoutesConfig> {

    /** Set on a request whose search answered by another route than {@code POST /v1/search} (an MCP tool). */
    public static final String ANSWERED_SEARCH = "dynrag.answered-search";

    private final Access access;
    private final UsageFacts facts;

    public UsageRecording(Access access, UsageFacts facts) {
        this.access = access;
        this.facts = facts;
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.after("/v1/*", this::record);
        // The MCP server's requests are API calls too, each counted like a REST request.
        routes.after("/mcp", this::record);
    }

    private void record(Context ctx) {
        access.authenticated(ctx).ifPresent(principal -> {
            String customerId;
            String keyId;
            switch (principal) {
                case Principal.CustomerUser user -> {
                    customerId = user.customerId();
                    keyId = null;
                }
                case Principal.CustomerKey key -> {
                    customerId = key.customerId();
                    keyId = key.keyId();
                }
                case Principal.Admin admin -> {
                    return;
                }
            }
            facts.record(customerId, keyId, UsageKind.API_CALL);
            if (isAnsweredSearch(ctx)) {
                facts.record(customerId, keyId, UsageKind.SEARCH_QUERY);
            }
        });
    }

    private static boolean isAnsweredSearch(Context ctx) {
        return ctx.method() == HandlerType.POST && ctx.path().equals("/v1/search") && ctx.status().getCode() == 200
                || Boolean.TRUE.equals(ctx.attribute(ANSWERED_SEARCH));
    }
}
