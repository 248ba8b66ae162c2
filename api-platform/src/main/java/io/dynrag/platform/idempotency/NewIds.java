package io.dynrag.platform.idempotency;

import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * The ids of what one request creates. Under an {@code Idempotency-Key} they are derived from the
 * key's request id (one use of the key, see {@link IdempotencyRecords.Claim.Owned}): a retry of a
 * request whose first attempt created something, then died before its answer was kept (a crash, a
 * lost database connection), names the same thing again, finds it and answers for it instead of
 * creating it twice. Without a key they are random.
 */
public final class NewIds {

    static final NewIds RANDOM = new NewIds(null);

    private final UUID requestId;

    private NewIds(UUID requestId) {
        this.requestId = requestId;
    }

    /** Random ids, for a request that has no Idempotency-Key to derive them from (an MCP tool call without one). */
    public static NewIds random() {
        return RANDOM;
    }

    static NewIds derivedFrom(UUID requestId) {
        return new NewIds(requestId);
    }

    /** @param index which of the request's new things (a batch's item number; 0 for a single one) */
    public String id(int index) {
        if (requestId == null) {
            return UUID.randomUUID().toString();
        }
        byte[] name = ByteBuffer.allocate(2 * Long.BYTES + Integer.BYTES).putLong(requestId.getMostSignificantBits())
                .putLong(requestId.getLeastSignificantBits()).putInt(index).array();
        return UUID.nameUUIDFromBytes(name).toString();
    }

    /** True when a retry of this request gets the same ids, so something created under them may be an earlier attempt's. */
    public boolean repeatable() {
        return requestId != null;
    }
}
