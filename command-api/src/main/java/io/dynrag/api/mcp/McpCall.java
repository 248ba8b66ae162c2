package io.dynrag.api.mcp;

import io.dynrag.identity.credentials.Principal;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One HTTP request to {@code /mcp}: its authenticated caller and correlation id, handed to the tool it calls, and
 * what the request's metering needs to know afterwards.
 */
final class McpCall {

    /** The key of the call in the MCP transport context. */
    static final String KEY = "dynrag.mcp.call";

    private final Principal principal;
    private final String correlationId;
    private final AtomicBoolean searchAnswered = new AtomicBoolean();

    /** @param correlationId the request's, which its answer carries */
    McpCall(Principal principal, String correlationId) {
        this.principal = principal;
        this.correlationId = correlationId;
    }

    Principal principal() {
        return principal;
    }

    String correlationId() {
        return correlationId;
    }

    /** The customer the caller acts for, whatever its scopes; none for an admin, who has no tenant. */
    Optional<String> customerId() {
        return switch (principal) {
            case Principal.CustomerUser user -> Optional.of(user.customerId());
            case Principal.CustomerKey key -> Optional.of(key.customerId());
            case Principal.Admin admin -> Optional.empty();
        };
    }

    /** A search tool answered: the request counts as a search query, as {@code POST /v1/search} does. */
    void searchAnswered() {
        searchAnswered.set(true);
    }

    boolean answeredSearch() {
        return searchAnswered.get();
    }
}
