package io.dynrag.platform.idempotency;

import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.http.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An Idempotency-Key on a call that is not a REST POST: an MCP tool call that adds a document, whose key is an
 * argument. The same records, scopes and derived ids as {@link IdempotentPosts}, so a customer's keys are one
 * space whichever way they arrive; the call's fingerprint names what it is (say {@code MCP add_text_document}),
 * so a key used for a REST request and then for a tool call, or the other way round, is another request.
 *
 * <p>Only the answer of a call that succeeded is kept, as JSON. A refused call changed nothing, so its claim is
 * released and a retry with the same arguments runs again, as after a REST 5xx; the key stays bound to those
 * arguments.
 */
public final class IdempotentCalls {

    private static final Logger log = LoggerFactory.getLogger(IdempotentCalls.class);
    private static final int KEPT = 200;

    private final IdempotencyRecords records;

    public IdempotentCalls(IdempotencyRecords records) {
        this.records = records;
    }

    /**
     * What one call does with the ids of what it creates ({@link NewIds}): derived from its key's request id, so
     * a retry after an attempt that died unanswered finds what that attempt created.
     */
    @FunctionalInterface
    public interface Call<T> {
        T run(NewIds ids);
    }

    /**
     * A call identified by what it does, who calls and what it is given.
     *
     * @param protocol         how it arrived (say {@code MCP}); never an HTTP method, so never a REST request
     * @param operation        what it does (say the tool's name)
     * @param argumentsSha256  the SHA-256 of its arguments, the key left out
     */
    public record Request(IdempotentPosts.Caller caller, String keyName, IdempotencyKey key, String protocol,
                          String operation, byte[] argumentsSha256) {

        byte[] fingerprint() {
            return RequestFingerprint.of(protocol, operation, caller.actor(), argumentsSha256);
        }
    }

    /**
     * Runs the call once per key: a retry of the same request answers the first call's answer.
     *
     * @throws ApiProblem 409 while the first call with the key still runs, 422 when the key was used for another
     *                    request; else what the call throws
     */
    public <T> T run(Request request, Class<T> answerType, Call<T> call) {
        String scope = request.caller().scope();
        String key = request.key().value();
        return switch (records.claim(scope, key, request.fingerprint())) {
            case IdempotencyRecords.Claim.Owned owned -> {
                T answer;
                try {
                    answer = call.run(NewIds.derivedFrom(owned.requestId()));
                } catch (RuntimeException e) {
                    records.release(scope, key, owned.claimId());
                    throw e;
                }
                keep(scope, key, owned, answer, request);
                yield answer;
            }
            case IdempotencyRecords.Claim.Completed completed -> read(completed.response(), answerType);
            case IdempotencyRecords.Claim.InProgress inProgress -> throw new ApiProblem(409, "Conflict",
                    "a call with this '" + request.keyName() + "' is still in progress; retry shortly to get its "
                            + "answer", Duration.ofSeconds(1));
            case IdempotencyRecords.Claim.OtherRequest other -> throw new ApiProblem(422, "Unprocessable Content",
                    "this '" + request.keyName() + "' was already used for a different request (another tool or "
                            + "route, other arguments or another credential); use a new key for a new request");
        };
    }

    /** A failure here is logged, not answered: the call has succeeded, and its claim runs out with the lease. */
    private void keep(String scope, String key, IdempotencyRecords.Claim.Owned owned, Object answer,
                      Request request) {
        try {
            records.complete(scope, key, owned.claimId(), new StoredResponse(KEPT, "application/json", Map.of(),
                    Json.apiMapper().writeValueAsBytes(answer)));
        } catch (IOException | RuntimeException e) {
            log.warn("Could not record the answer of {} {} under its key; a retry after the lease may run it again "
                    + "(finding what it created): {}", request.protocol(), request.operation(), e.toString());
        }
    }

    private static <T> T read(StoredResponse response, Class<T> answerType) {
        try {
            return Json.apiMapper().readValue(response.body(), answerType);
        } catch (IOException e) {
            throw new UncheckedIOException("a kept answer does not read as " + answerType.getSimpleName(), e);
        }
    }
}
