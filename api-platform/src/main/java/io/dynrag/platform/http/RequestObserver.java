package io.dynrag.platform.http;

import java.time.Duration;

/** Told of every request once it is answered, refusals and failures included: the role's request metrics. */
@FunctionalInterface
public interface RequestObserver {

    /** For servers whose requests nobody counts. */
    RequestObserver NONE = (route, status, took) -> { };

    /**
     * The route an MCP tool call is told as: a call is one request of its own for the role's metrics (an agent's
     * search is a search), although many of them arrive as {@code POST /mcp}.
     */
    static String toolCall(String tool) {
        return "MCP " + tool;
    }

    /**
     * @param route  the matched route as {@code METHOD /path/{parameter}}, {@link #toolCall} of an MCP tool, or
     *               {@link AccessLog#UNMATCHED}; never the path itself, whose ids would make every request a series
     *               of its own
     * @param status the answer's HTTP status (for a tool call, the status its REST route would answer)
     * @param took   from the request's arrival to its answer
     */
    void answered(String route, int status, Duration took);
}
