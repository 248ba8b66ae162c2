package io.dynrag.identity.credentials;

/**
 * The request has no credential that names a caller: none was sent, it is invalid, expired or revoked, or the
 * customer it belongs to is gone. The message says which, as far as the client may know; answered 401.
 */
public class NotAuthenticatedException extends RuntimeException {

    public NotAuthenticatedException(String message) {
        super(message);
    }
}
