package io.dynrag.platform.idempotency;

import io.dynrag.platform.crypto.Secrets;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.http.MultipartBodies;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.javalin.router.HandlerWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code Idempotency-Key} on every POST under {@code /v1}, in one place: wraps the POST handlers, and
 * stores their outcome after the response is final (error mapping included).
 *
 * <p>A request with a key is authenticated (and rate-limited) first, because the key belongs to the
 * caller: a customer's keys are the customer's, an admin's the admin's. Then its fingerprint is compared
 * with the key's record: a new key runs the handler, a finished one is replayed with
 * {@value #REPLAYED_HEADER}, one still running answers 409, and a key used for a different request 422.
 * Outcomes that say "try again" (5xx, 408, 429) are not stored: the claim is released so a retry runs.
 *
 * <p>No kept answer shows a secret. An endpoint whose answer shows one (a new API key, a webhook's signing
 * secret) answers through {@link #answerShowingSecret}, which keeps the answer without the secret; any other
 * answer that still shows something shaped like one of our secrets ({@link Secrets#appearIn}) is not kept at
 * all, and its claim is released, so a retry runs again. The routes that issue sign-in credentials take no key
 * at all: their answers are tokens, and a repeated refresh must reach reuse detection.
 */
public final class IdempotentPosts implements HandlerWrapper, Consumer<RoutesConfig> {

    public static final String REPLAYED_HEADER = "Idempotent-Replayed";

    private static final Logger log = LoggerFactory.getLogger(IdempotentPosts.class);
    private static final String ATTEMPT = "dynrag.idempotency.attempt";
    private static final String KEPT_INSTEAD = "dynrag.idempotency.keptInstead";
    /** Headers that are part of the outcome; the others (rate limits, correlation id) belong to each answer. */
    private static final List<String> OUTCOME_HEADERS = List.of("Location", "Content-Location");

    private final IdempotencyRecords records;
    private final Function<Context, Caller> callers;
    private final String credentialPaths;

    /**
     * @param callers         authenticates (and rate-limits) the caller of a request that carries a key; throws
     *                        when the request may not go on
     * @param credentialPaths where the routes that issue and revoke sign-in credentials live: their POSTs ignore
     *                        the Idempotency-Key and always run
     */
    public IdempotentPosts(IdempotencyRecords records, Function<Context, Caller> callers, String credentialPaths) {
        this.records = records;
        this.callers = callers;
        this.credentialPaths = credentialPaths;
    }

    /**
     * Who sends a request with a key.
     *
     * @param scope whose keys these are: a key names one request within its scope (a customer's keys are shared by
     *              its users and API keys)
     * @param actor the credential itself; part of the request's fingerprint, so a key reused by another
     *              credential of the scope is a different request
     */
    public record Caller(String scope, String actor) {
    }

    /** A request that owns its key until its outcome is stored or released. */
    private record Attempt(String scope, String key, UUID claimId, NewIds newIds) {
    }

    /** The answer to keep instead of the one sent, which showed a secret. */
    private record KeptInstead(int status, byte[] body) {
    }

    /**
     * Answers {@code answer}, which shows a secret shown nowhere else, with {@code status}. Under an
     * Idempotency-Key, {@code withoutSecret} (the same answer with the secret left out) is what is kept and what
     * retries get: they learn what was done without the secret being stored or shown again.
     */
    public static void answerShowingSecret(Context ctx, int status, Object answer, Object withoutSecret) {
        ctx.status(status).json(answer);
        if (ctx.attribute(ATTEMPT) != null) {
            ctx.attribute(KEPT_INSTEAD, new KeptInstead(status, ctx.jsonMapper()
                    .toJsonString(withoutSecret, withoutSecret.getClass()).getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** The ids for what this request creates: derived from its Idempotency-Key when it has one, else random. */
    public static NewIds newIds(Context ctx) {
        Attempt attempt = ctx.attribute(ATTEMPT);
        return attempt == null ? NewIds.RANDOM : attempt.newIds();
    }

    @Override
    public Handler wrap(Endpoint endpoint) {
        if (endpoint.method != HandlerType.POST || !endpoint.path.startsWith("/v1/")
                || endpoint.path.startsWith(credentialPaths)) {
            return endpoint.handler;
        }
        return ctx -> handle(ctx, endpoint.handler);
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.after("/v1/*", this::finish);
    }

    private void handle(Context ctx, Handler handler) throws Exception {
        Optional<IdempotencyKey> key = IdempotencyKey.fromHeader(ctx.header(IdempotencyKey.HEADER));
        if (key.isEmpty()) {
            handler.handle(ctx);
            return;
        }
        Caller caller = callers.apply(ctx);
        String scope = caller.scope();
        String query = ctx.queryString() == null ? "" : "?" + ctx.queryString();
        byte[] fingerprint = RequestFingerprint.of(ctx.method().name(), ctx.path() + query, caller.actor(),
                bodySha256(ctx));
        switch (records.claim(scope, key.get().value(), fingerprint)) {
            case IdempotencyRecords.Claim.Owned owned -> {
                ctx.attribute(ATTEMPT, new Attempt(scope, key.get().value(), owned.claimId(),
                        NewIds.derivedFrom(owned.requestId())));
                handler.handle(ctx);
            }
            case IdempotencyRecords.Claim.Completed completed -> replay(ctx, completed.response());
            case IdempotencyRecords.Claim.InProgress inProgress -> {
                ctx.header("Retry-After", "1");
                throw new ApiProblem(409, "Conflict", "a request with this Idempotency-Key is still in progress; "
                        + "retry shortly to get its response");
            }
            case IdempotencyRecords.Claim.OtherRequest other -> throw new ApiProblem(422, "Unprocessable Content",
                    "this Idempotency-Key was already used for a different request (another method, path, body or "
                            + "credential); use a new key for a new request");
        }
    }

    private static byte[] bodySha256(Context ctx) {
        String contentType = Optional.ofNullable(ctx.contentType()).orElse("").toLowerCase(Locale.ROOT);
        if (!contentType.startsWith("multipart/form-data")) {
            return RequestFingerprint.body(ctx.bodyAsBytes());
        }
        // Parsing here (with the endpoint's multipart settings) leaves the parts cached for the handler.
        return MultipartBodies.read(() -> {
            ctx.uploadedFileMap();
            try {
                return RequestFingerprint.multipart(ctx.req().getParts());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (jakarta.servlet.ServletException e) {
                throw new IllegalArgumentException(e);
            }
        }, () -> ApiProblem.tooLarge("the multipart body is over the size limit"));
    }

    private static void replay(Context ctx, StoredResponse response) {
        ctx.status(response.status());
        if (response.contentType() != null) {
            ctx.contentType(response.contentType());
        }
        response.headers().forEach(ctx::header);
        ctx.header(REPLAYED_HEADER, "true");
        ctx.result(response.body());
    }

    /**
     * Runs after the response is final. A failure here is logged, never answered: the request itself has
     * already succeeded or failed, and its claim simply runs out with the lease.
     */
    private void finish(Context ctx) {
        Attempt attempt = ctx.attribute(ATTEMPT);
        if (attempt == null) {
            return;
        }
        int status = ctx.statusCode();
        try {
            if (status >= 500 || status == 408 || status == 429) {
                records.release(attempt.scope(), attempt.key(), attempt.claimId());
                return;
            }
            KeptInstead instead = ctx.attribute(KEPT_INSTEAD);
            byte[] body = instead != null && instead.status() == status ? instead.body() : resultBytes(ctx);
            if (Secrets.appearIn(new String(body, StandardCharsets.UTF_8))) {
                log.warn("The answer ({}) to {} {} shows what looks like a secret, so it is not kept under its "
                        + "Idempotency-Key; a retry runs the request again", status, ctx.method(), ctx.path());
                records.release(attempt.scope(), attempt.key(), attempt.claimId());
                return;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String name : OUTCOME_HEADERS) {
                String value = ctx.res().getHeader(name);
                if (value != null) {
                    headers.put(name, value);
                }
            }
            records.complete(attempt.scope(), attempt.key(), attempt.claimId(),
                    new StoredResponse(status, ctx.res().getContentType(), headers, body));
        } catch (RuntimeException e) {
            log.warn("Could not record the outcome ({}) of {} {} under its Idempotency-Key; a retry after the "
                    + "lease may run it again: {}", status, ctx.method(), ctx.path(), e.toString());
        }
    }

    /** Reads the response body and puts it back, so the client still gets it. */
    private static byte[] resultBytes(Context ctx) {
        InputStream result = ctx.resultInputStream();
        if (result == null) {
            return new byte[0];
        }
        try (result) {
            byte[] body = result.readAllBytes();
            ctx.result(body);
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
