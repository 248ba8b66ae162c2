package io.dynrag.platform.http;

import io.dynrag.platform.origin.CurrentOrigin;
import io.dynrag.platform.origin.Origin;
import io.javalin.http.Context;

/**
 * Gives every request its correlation id and makes the request the origin of the commands it
 * sends: anonymous until the access check authenticates the caller. The id is the client's
 * {@value #HEADER} when valid, else a new one, and every response, errors included, echoes it.
 */
final class RequestOrigin {

    static final String HEADER = "X-Correlation-Id";

    private RequestOrigin() {
    }

    /** @throws ApiProblem 400 for a malformed {@value #HEADER}; the response still carries a fresh id */
    static void begin(Context ctx) {
        String sent = ctx.header(HEADER);
        boolean valid = sent == null || Origin.isValidCorrelationId(sent);
        String correlationId = sent != null && valid ? sent : Origin.newCorrelationId();
        ctx.header(HEADER, correlationId);
        AccessLog.correlation(correlationId);
        CurrentOrigin.set(new Origin(Origin.ANONYMOUS, correlationId));
        if (!valid) {
            throw ApiProblem.badRequest("'" + HEADER + "' must be 1 to 128 characters of letters, digits and . _ : -");
        }
    }

    /** Request threads are reused: no origin may outlive its request. */
    static void end(Context ctx) {
        CurrentOrigin.clear();
    }
}
