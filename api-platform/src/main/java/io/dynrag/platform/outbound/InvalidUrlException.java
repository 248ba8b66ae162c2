package io.dynrag.platform.outbound;

/** A URL we will not fetch whatever it resolves to; the message says why, for the client. */
public class InvalidUrlException extends RuntimeException {

    public InvalidUrlException(String message) {
        super(message);
    }
}
