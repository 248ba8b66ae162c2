package io.dynrag.platform.http;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.net.InetAddress;
import java.time.Duration;

/**
 * One line per answered request on the logger {@value #LOGGER} (its own, so an operator can turn it off), and
 * the request's log context: every line logged while a request is served carries its correlation id and, once
 * the caller is authenticated, its customer id, as the MDC entries {@value #CORRELATION_ID} and
 * {@value #CUSTOMER_ID}.
 */
public final class AccessLog {

    public static final String LOGGER = "io.dynrag.access";
    public static final String CORRELATION_ID = "correlationId";
    public static final String CUSTOMER_ID = "customerId";
    /** The route of a request that matched none. */
    public static final String UNMATCHED = "unmatched";

    private static final Logger log = LoggerFactory.getLogger(LOGGER);
    private static final String STARTED = AccessLog.class.getName() + ".started";

    private AccessLog() {
    }

    /** Names the customer the current request acts for in its log lines. */
    public static void customer(String customerId) {
        MDC.put(CUSTOMER_ID, customerId);
    }

    /** The first thing done for a request. */
    static void begin(Context ctx) {
        ctx.attribute(STARTED, System.nanoTime());
        MDC.remove(CUSTOMER_ID);
    }

    static void correlation(String correlationId) {
        MDC.put(CORRELATION_ID, correlationId);
    }

    /** The last thing done for a request, answered or refused. */
    static void end(Context ctx, RequestObserver observer) {
        Long started = ctx.attribute(STARTED);
        Duration took = Duration.ofNanos(started == null ? 0 : System.nanoTime() - started);
        int status = ctx.statusCode();
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        String route = endpoint == null ? UNMATCHED : endpoint.method.name() + " " + endpoint.path;
        try {
            observer.answered(route, status, took);
            // The path without its query: a query can carry a cursor or a search text, neither for a log.
            // A request refused before its client was resolved (by the CORS check) is logged with its peer.
            InetAddress client = ctx.attribute(ClientAddress.ATTRIBUTE);
            log.info("{} {} {} {}ms {}", ctx.method().name(), ctx.path(), status, took.toMillis(),
                    client == null ? ctx.req().getRemoteAddr() : client.getHostAddress());
        } finally {
            MDC.remove(CORRELATION_ID);
            MDC.remove(CUSTOMER_ID);
        }
    }
}
