package io.dynrag.platform.http;

import java.time.Duration;

/** Told of every request once it is answered, refusals and failures included: the role's request metrics. */
@FunctionalInterface
public interface RequestObserver {

    /** For servers whose requests nobody counts. */
    RequestObserver NONE = (route, status, took) -> { };

    /**
     * @param route  the matched route as {@code METHOD /path/{parameter}}, or {@link AccessLog#UNMATCHED}; never
     *               the path itself, whose ids would make every request a series of its own
     * @param status the answer's HTTP status
     * @param took   from the request's arrival to its answer
     */
    void answered(String route, int status, Duration took);
}
