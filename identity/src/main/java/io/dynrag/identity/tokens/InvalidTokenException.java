package io.dynrag.identity.tokens;

/**
 * An access token that must not be accepted. {@link #getMessage()} is the same for every cause and safe to
 * show a client; {@link #reason()} says what exactly was wrong, for the logs.
 */
public class InvalidTokenException extends RuntimeException {

    private final String reason;

    public InvalidTokenException(String reason) {
        super("The access token is invalid or has expired.");
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
