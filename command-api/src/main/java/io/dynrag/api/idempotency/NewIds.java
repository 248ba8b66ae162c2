package io.dynrag.api.idempotency;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The ids of what one request creates. Under an {@code Idempotency-Key} they are derived from the
 * caller's scope, the key and the request's fingerprint: a retry of a request whose first attempt
 * created something, then died before its answer was stored (a crash, a lost database connection),
 * names the same thing again, finds it and answers as the first attempt would have, instead of
 * creating it twice. Without a key they are random.
 */
public final class NewIds {

    static final NewIds RANDOM = new NewIds(null);

    private final byte[] seed;

    private NewIds(byte[] seed) {
        this.seed = seed;
    }

    static NewIds derivedFrom(String scope, String key, byte[] fingerprint) {
        byte[] scopeAndKey = (scope + '\n' + key + '\n').getBytes(StandardCharsets.UTF_8);
        return new NewIds(ByteBuffer.allocate(scopeAndKey.length + fingerprint.length)
                .put(scopeAndKey).put(fingerprint).array());
    }

    /** @param index which of the request's new things (a batch's item number; 0 for a single one) */
    public String id(int index) {
        if (seed == null) {
            return UUID.randomUUID().toString();
        }
        byte[] name = ByteBuffer.allocate(seed.length + Integer.BYTES).put(seed).putInt(index).array();
        return UUID.nameUUIDFromBytes(name).toString();
    }

    /** True when a retry of this request gets the same ids, so something created under them may be an earlier attempt's. */
    public boolean repeatable() {
        return seed != null;
    }
}
