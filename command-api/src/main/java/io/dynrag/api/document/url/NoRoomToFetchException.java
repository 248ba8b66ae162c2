package io.dynrag.api.document.url;

import java.time.Duration;

/**
 * A fetch found no room within {@link FetchBounds} for the whole wait: the customer's own share was full (it can
 * wait for its own fetches), or the server's. Either way the client may try again after {@link #retryAfter()}.
 */
public class NoRoomToFetchException extends RuntimeException {

    private final boolean customersShare;
    private final Duration retryAfter;

    public NoRoomToFetchException(String message, boolean customersShare, Duration retryAfter) {
        super(message);
        this.customersShare = customersShare;
        this.retryAfter = retryAfter;
    }

    /** True when the customer's own share was full, false when the server's was. */
    public boolean customersShare() {
        return customersShare;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
