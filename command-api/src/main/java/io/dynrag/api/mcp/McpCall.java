package io.dynrag.api.mcp;

import io.dynrag.identity.credentials.Principal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One HTTP request to {@code /mcp}: its authenticated caller, handed to the tool it calls, and what the request's
 * metering needs to know afterwards.
 */
final class McpCall {

    /** The key of the call in the MCP transport context. */
    static final String KEY = "dynrag.mcp.call";

    private final Principal principal;
    private final AtomicBoolean searchAnswered = new AtomicBoolean();

    McpCall(Principal principal) {
        this.principal = principal;
    }

    Principal principal() {
        return principal;
    }

    /** A search tool answered: the request counts as a search query, as {@code POST /v1/search} does. */
    void searchAnswered() {
        searchAnswered.set(true);
    }

    boolean answeredSearch() {
        return searchAnswered.get();
    }
}
