package io.dynrag.api.document.url;

/** A fetch, or its wait for room, was interrupted because the server is stopping; the client may retry shortly. */
public class FetchInterruptedException extends RuntimeException {

    public FetchInterruptedException() {
        super("the server is shutting down; retry shortly");
    }
}
