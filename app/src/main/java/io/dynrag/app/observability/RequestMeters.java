package io.dynrag.app.observability;

import io.dynrag.platform.http.RequestObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/** The API role's uploads and searches, timed from request to answer, by outcome. */
final class RequestMeters implements RequestObserver {

    /** The routes that take in documents: one file, a new version, a batch of files and URLs, an agent's adds. */
    static final Set<String> UPLOAD_ROUTES = Set.of("POST /v1/documents", "POST /v1/documents/{documentId}/versions",
            "POST /v1/documents/batch", RequestObserver.toolCall("add_text_document"),
            RequestObserver.toolCall("add_document_from_url"));
    /** A search over REST, and an agent's over MCP. */
    static final Set<String> SEARCH_ROUTES = Set.of("POST /v1/search", RequestObserver.toolCall("search"));

    private final Map<String, Timer> uploads;
    private final Map<String, Timer> searches;

    RequestMeters(MeterRegistry registry) {
        // Registered up front, so each series exists (at zero) before its first request.
        this.uploads = timers(registry, Meters.UPLOADS, "Uploads, from request to answer");
        this.searches = timers(registry, Meters.SEARCHES, "Searches, from request to answer");
    }

    @Override
    public void answered(String route, int status, Duration took) {
        if (UPLOAD_ROUTES.contains(route)) {
            uploads.get(outcome(status)).record(took);
        } else if (SEARCH_ROUTES.contains(route)) {
            searches.get(outcome(status)).record(took);
        }
    }

    /** success (2xx), refused (a 4xx: the request was wrong, or over a limit) or failed (a 5xx: ours). */
    static String outcome(int status) {
        return status >= 500 ? "failed" : status >= 400 ? "refused" : "success";
    }

    private static Map<String, Timer> timers(MeterRegistry registry, String name, String description) {
        return Map.of("success", timer(registry, name, description, "success"),
                "refused", timer(registry, name, description, "refused"),
                "failed", timer(registry, name, description, "failed"));
    }

    private static Timer timer(MeterRegistry registry, String name, String description, String outcome) {
        return Timer.builder(name).description(description).tag(Meters.OUTCOME, outcome)
                .publishPercentileHistogram().register(registry);
    }
}
