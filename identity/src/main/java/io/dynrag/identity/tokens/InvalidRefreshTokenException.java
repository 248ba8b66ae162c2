package io.dynrag.identity.tokens;

/**
 * A refresh token that is unknown, expired or revoked. {@link #getMessage()} is the same for every cause
 * and safe to show a client; {@link #reason()} is for the logs.
 */
public class InvalidRefreshTokenException extends RuntimeException {

    private final String reason;

    public InvalidRefreshTokenException(String reason) {
        super("The refresh token is invalid, expired or revoked.");
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
