package io.dynrag.platform.idempotency;

import io.dynrag.platform.crypto.KeyEncryption;
import io.dynrag.platform.persistence.Statements;
import org.axonframework.common.jdbc.ConnectionProvider;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The stored outcomes of requests sent with an {@code Idempotency-Key}, shared by every API instance
 * through PostgreSQL. Claiming a key is one {@code INSERT ... ON CONFLICT}: of concurrent requests with
 * the same key exactly one gets the claim, whichever instance it reached. Times are the database's, so
 * the instances' clocks need not agree.
 */
public final class IdempotencyRecords {

    /** What a request with a key may do. */
    public sealed interface Claim {

        /** The key is this request's: run it, then {@link #complete} or {@link #release} with this id. */
        /**
         * @param requestId this use of the key: kept when a dead attempt's claim is taken over, new once the key
         *                  expired; the ids of what the request creates derive from it ({@link NewIds})
         */
        record Owned(UUID claimId, UUID requestId) implements Claim {
        }

        /** The same request already ran: answer with its response. */
        record Completed(StoredResponse response) implements Claim {
        }

        /** The same request is running right now (its lease has not run out). */
        record InProgress() implements Claim {
        }

        /** The key was used for another request (method, path, body or credential differ). */
        record OtherRequest() implements Claim {
        }
    }

    private static final String CLAIM = """
            INSERT INTO idempotency_record AS r (scope, idempotency_key, fingerprint, claim_id, request_id, claimed_at,
                                                 expires_at)
            VALUES (?, ?, ?, ?, ?, now(), now() + make_interval(secs => ?))
            ON CONFLICT (scope, idempotency_key) DO UPDATE
               SET fingerprint = EXCLUDED.fingerprint, claim_id = EXCLUDED.claim_id, claimed_at = now(),
                   request_id = CASE WHEN r.expires_at <= now() THEN EXCLUDED.request_id ELSE r.request_id END,
                   expires_at = EXCLUDED.expires_at, response_status = NULL, response = NULL
             WHERE r.expires_at <= now()
                OR (r.response_status IS NULL AND r.fingerprint = EXCLUDED.fingerprint
                    AND r.claimed_at <= now() - make_interval(secs => ?))
            RETURNING claim_id, request_id""";

    /** A claim is attempted again when the row it collided with vanished before it could be read. */
    private static final int CLAIM_ATTEMPTS = 3;

    private final Statements statements;
    private final KeyEncryption sealing;
    private final Duration lease;
    private final Duration retention;

    /**
     * @param lease     how long a request may run before a retry may take its key over, presuming its
     *                  instance died (say between writing to S3 and sending the command)
     * @param retention how long a key is remembered from its first use
     */
    public IdempotencyRecords(ConnectionProvider connections, KeyEncryption sealing, Duration lease,
                              Duration retention) {
        this.statements = new Statements(connections, "idempotency records");
        this.sealing = sealing;
        this.lease = lease;
        this.retention = retention;
    }

    public Claim claim(String scope, String key, byte[] fingerprint) {
        for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
            List<Claim.Owned> owned = statements.query(
                    row -> new Claim.Owned(row.getObject(1, UUID.class), row.getObject(2, UUID.class)), CLAIM, scope,
                    key, fingerprint, UUID.randomUUID(), UUID.randomUUID(), (double) retention.toSeconds(),
                    (double) lease.toSeconds());
            if (!owned.isEmpty()) {
                return owned.getFirst();
            }
            List<Claim> existing = statements.query(row -> {
                if (!MessageDigest.isEqual(row.getBytes("fingerprint"), fingerprint)) {
                    return new Claim.OtherRequest();
                }
                if (row.getObject("response_status") == null) {
                    return new Claim.InProgress();
                }
                return new Claim.Completed(StoredResponse.fromBytes(
                        sealing.open(row.getBytes("response"), context(scope, key))));
            }, """
                    SELECT fingerprint, response_status, response FROM idempotency_record
                     WHERE scope = ? AND idempotency_key = ? AND expires_at > now()""", scope, key);
            if (!existing.isEmpty()) {
                return existing.getFirst();
            }
        }
        // Only a key released and taken again over and over lands here; the client may simply retry.
        return new Claim.InProgress();
    }

    /** Stores the outcome of the claim, unless another request has taken the key over meanwhile. */
    public void complete(String scope, String key, UUID claimId, StoredResponse response) {
        statements.update("""
                UPDATE idempotency_record SET response_status = ?, response = ?
                 WHERE scope = ? AND idempotency_key = ? AND claim_id = ?""",
                response.status(), sealing.seal(response.toBytes(), context(scope, key)), scope, key, claimId);
    }

    /**
     * Ends the claim's lease at once, so that a retry of the same request runs it again. The record stays, with
     * its request id: a request that failed after creating something (say a 5xx while answering) has its retry
     * find that thing rather than create it again.
     */
    public void release(String scope, String key, UUID claimId) {
        statements.update("""
                UPDATE idempotency_record SET claimed_at = '-infinity'
                 WHERE scope = ? AND idempotency_key = ? AND claim_id = ?""", scope, key, claimId);
    }

    /** @return the number of expired records deleted; a claim treats an expired record as absent anyway */
    public int deleteExpired() {
        return statements.update("DELETE FROM idempotency_record WHERE expires_at <= now()");
    }

    /** Binds a sealed response to its row, so it cannot be replayed under another caller's key. */
    private static String context(String scope, String key) {
        return "idempotency:" + scope + ":" + key;
    }
}
