package io.dynrag.platform.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.dynrag.platform.persistence.DatabaseException;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.javalin.router.HandlerWrapper;
import jakarta.servlet.http.HttpServletRequest;
import org.axonframework.commandhandling.CommandExecutionException;
import org.eclipse.jetty.http.UriCompliance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The HTTP front door: routes of every feature, and one place that turns every failure into
 * {@code application/problem+json} without leaking internals (stack traces go to the log, never to the
 * client): the services' refusals as the {@link ProblemMapping} says, and what the server and its
 * frameworks meet themselves (unreadable JSON, the database, anything unexpected) as written here.
 */
public final class HttpServer implements AutoCloseable {

    private static final int DRAIN_LIMIT_BYTES = 64 * 1024;

    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
    /** Jackson names the target classes in some messages; the client has no use for ours. */
    private static final Pattern OUR_TYPES = Pattern.compile("`?io\\.dynrag\\.[\\w.$]+`?");

    private static final Duration OVERLOAD_REPORT_INTERVAL = Duration.ofSeconds(10);

    private final Javalin javalin;
    private final AtomicLong overloadRefusals = new AtomicLong();
    private final AtomicLong lastOverloadReport = new AtomicLong(System.nanoTime() - OVERLOAD_REPORT_INTERVAL.toNanos());

    /**
     * @param proxies   whose {@code X-Forwarded-For} names the client ({@link ClientAddress})
     * @param cors      the browser origins whose pages may call the API
     * @param features  each registers its routes
     * @param endpoints wraps every endpoint's handler (idempotent retries of POSTs)
     * @param refusals  the problem each exception of the services answers
     * @param readiness named readiness checks; {@code /health} is 200 only when all pass
     * @param requests  told of every answered request
     */
    public HttpServer(String host, int port, TrustedProxies proxies, CorsPolicy cors, long maxJsonBytes,
                      long maxUploadBytes, ObjectMapper json, List<Consumer<RoutesConfig>> features,
                      HandlerWrapper endpoints, ProblemMapping refusals, Map<String, BooleanSupplier> readiness,
                      RequestObserver requests) {
        this.javalin = Javalin.create(config -> {
            config.jetty.host = host;
            config.jetty.port = port;
            config.concurrency.useVirtualThreads = true;
            config.http.maxRequestSize = maxJsonBytes;
            config.http.prefer405over404 = true;
            // Jetty answers a path it finds ambiguous (`/x/..;`, `%2F`, `//`) itself: a bare 400 without
            // problem+json, sent before the body is read, so a client still sending one could lose the answer
            // to the connection's reset. Routed here instead, such a path gets our answers (a 404, or the
            // endpoint's refusal of the id), each after the body is drained. No route serves files: a segment
            // is only ever an id that an endpoint looks up and checks.
            config.jetty.modifyHttpConfiguration(http -> http.setUriCompliance(UriCompliance.DEFAULT.with(
                    "routed-ambiguous-paths", UriCompliance.AMBIGUOUS_VIOLATIONS.toArray(UriCompliance.Violation[]::new))));
            config.jetty.modifyServletContextHandler(handler -> handler.getServletHandler().setDecodeAmbiguousURIs(true));
            config.jetty.multipartConfig.maxFileSize(maxUploadBytes, SizeUnit.BYTES);
            config.jetty.multipartConfig.maxTotalRequestSize(maxUploadBytes + 64 * 1024, SizeUnit.BYTES);
            config.jetty.multipartConfig.maxInMemoryFileSize(64 * 1024, SizeUnit.BYTES);
            config.startup.showJavalinBanner = false;
            config.jsonMapper(new RequestJsonMapper(new JavalinJackson(json, true)));
            config.router.handlerWrapper(endpoints);

            config.routes.before(AccessLog::begin);
            // Next, so that every answer to an allowed origin carries its headers, refusals included.
            config.routes.before(cors::apply);
            config.routes.before(ctx -> ClientAddress.resolve(ctx, proxies));
            config.routes.before(RequestOrigin::begin);
            config.routes.after(RequestOrigin::end);
            config.routes.after(ctx -> AccessLog.end(ctx, requests));
            config.routes.get("/health", ctx -> health(ctx, readiness));
            features.forEach(feature -> feature.accept(config.routes));

            config.routes.exception(ApiProblem.class, (e, ctx) -> answer(ctx, e));
            refusals.types().forEach(type -> answerAsMapped(config.routes, type, refusals));
            config.routes.exception(CommandExecutionException.class, (e, ctx) -> commandFailed(e, ctx, refusals));
            config.routes.exception(JacksonException.class, (e, ctx) -> problem(ctx, 400, "Bad Request",
                    "the body is not valid JSON for this endpoint: " + jsonMistake(e)));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> problem(ctx, e.getStatus(),
                    titleOf(e.getStatus()), e.getMessage()));
            config.routes.exception(DatabaseException.class, this::databaseFailed);
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.error("Unexpected failure on {} {}", ctx.method(), ctx.path(), e);
                problem(ctx, 500, "Internal Server Error", "the request failed unexpectedly; it was logged");
            });
        });
    }

    public HttpServer start() {
        javalin.start();
        return this;
    }

    public int port() {
        return javalin.port();
    }

    /**
     * The routes every feature registered, each as {@code METHOD /path} with its path parameters as
     * {@code {name}}, sorted; before and after handlers are not routes. Known once the server is built, before
     * it starts. Javalin lists them only through its internal router, as its own route overview does.
     */
    public List<String> routes() {
        return javalin.unsafe.internalRouter.allHttpHandlers().stream()
                .map(parsed -> parsed.endpoint)
                .filter(endpoint -> endpoint.method.isHttpMethod())
                .map(endpoint -> endpoint.method.name() + " " + endpoint.path)
                .distinct()
                .sorted()
                .toList();
    }

    @Override
    public void close() {
        javalin.stop();
    }

    private static void health(Context ctx, Map<String, BooleanSupplier> readiness) {
        Map<String, String> checks = new TreeMap<>();
        readiness.forEach((name, check) -> checks.put(name, check.getAsBoolean() ? "UP" : "DOWN"));
        boolean up = !checks.containsValue("DOWN");
        ctx.status(up ? 200 : 503).json(Map.of("status", up ? "UP" : "DOWN", "checks", checks));
    }

    /**
     * 503 with {@code Retry-After} either way. A request that found no free database connection within the
     * pool's wait is a sign of overload, not of a fault: those come in floods, so they are reported in one
     * line every {@link #OVERLOAD_REPORT_INTERVAL} with their count, not with a stack trace each.
     */
    private void databaseFailed(DatabaseException e, Context ctx) {
        ctx.header("Retry-After", "1");
        if (!causedBy(e, SQLTransientConnectionException.class)) {
            log.error("Database failure on {} {}", ctx.method(), ctx.path(), e);
            problem(ctx, 503, "Service Unavailable", "the database is unavailable; retry shortly");
            return;
        }
        long refused = overloadRefusals.incrementAndGet();
        long now = System.nanoTime();
        long last = lastOverloadReport.get();
        if (now - last >= OVERLOAD_REPORT_INTERVAL.toNanos() && lastOverloadReport.compareAndSet(last, now)) {
            log.warn("Overloaded: {} requests found no free database connection in time and were answered 503 "
                    + "(last: {} {}; {})", refused, ctx.method(), ctx.path(), e.getCause().getMessage());
            overloadRefusals.addAndGet(-refused);
        }
        problem(ctx, 503, "Service Unavailable", "the server is busy; retry shortly");
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    /** Javalin answers an exception with the handler of its class or nearest superclass, as the mapping does. */
    private static <E extends RuntimeException> void answerAsMapped(RoutesConfig routes, Class<E> type,
                                                                    ProblemMapping refusals) {
        routes.exception(type, (e, ctx) -> answer(ctx, refusals.problemFor(e).orElseThrow()));
    }

    private static void answer(Context ctx, ApiProblem problem) {
        problem.retryAfter().ifPresent(wait -> ctx.header("Retry-After", Long.toString(wait.toSeconds())));
        problem(ctx, problem.status(), problem.title(), problem.detail());
    }

    private static void commandFailed(CommandExecutionException e, Context ctx, ProblemMapping refusals) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        Optional<ApiProblem> refusal = refusals.problemFor(cause);
        if (refusal.isPresent()) {
            answer(ctx, refusal.get());
            return;
        }
        log.error("Command failed on {} {}", ctx.method(), ctx.path(), e);
        problem(ctx, 500, "Internal Server Error", "the command failed unexpectedly; it was logged");
    }

    static void problem(Context ctx, int status, String title, String detail) {
        if (status == 401) {
            ctx.header("WWW-Authenticate", "Bearer");
        }
        drainOrClose(ctx);
        ctx.status(status).json(ProblemDetails.of(status, title, detail, ctx.path()));
        ctx.contentType(ProblemDetails.MEDIA_TYPE);
    }

    /**
     * A request refused before its body was read (no credential, a rate limit, a wrong content type)
     * leaves the body in the connection. Jetty then closes the connection after the answer without
     * saying so, and a client that sent its next request on it loses that request. A small rest is
     * read and dropped, so the connection serves the next request; past {@value #DRAIN_LIMIT_BYTES}
     * bytes the answer says {@code Connection: close}, so the client opens a new one.
     */
    private static void drainOrClose(Context ctx) {
        HttpServletRequest request = ctx.req();
        boolean body = request.getContentLengthLong() > 0
                || "chunked".equalsIgnoreCase(request.getHeader("Transfer-Encoding"));
        if (!body) {
            return;
        }
        try {
            InputStream rest = request.getInputStream();
            byte[] buffer = new byte[8 * 1024];
            long drained = 0;
            int read;
            while ((read = rest.read(buffer)) >= 0) {
                drained += read;
                if (drained > DRAIN_LIMIT_BYTES) {
                    ctx.header("Connection", "close");
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            ctx.header("Connection", "close");
        }
    }

    /** What is wrong with a JSON body, naming the field concerned and none of our classes. */
    private static String jsonMistake(JacksonException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "unknown field '" + unknown.getPropertyName() + "'; the fields are "
                    + new TreeSet<>(unknown.getKnownPropertyIds().stream().map(String::valueOf).toList());
        }
        String mistake = OUR_TYPES.matcher(e.getOriginalMessage()).replaceAll("a JSON object");
        if (!(e instanceof JsonMappingException mapping) || mapping.getPath().isEmpty()) {
            return mistake;
        }
        StringBuilder field = new StringBuilder();
        for (JsonMappingException.Reference reference : mapping.getPath()) {
            if (reference.getFieldName() != null) {
                field.append(field.isEmpty() ? "" : ".").append(reference.getFieldName());
            } else {
                field.append('[').append(reference.getIndex()).append(']');
            }
        }
        return "'" + field + "': " + mistake;
    }

    private static String titleOf(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            default -> status >= 500 ? "Server Error" : "Client Error";
        };
    }
}
