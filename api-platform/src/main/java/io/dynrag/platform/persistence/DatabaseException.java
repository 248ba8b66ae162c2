package io.dynrag.platform.persistence;

/** The database failed; the request can be retried once it is back. */
public class DatabaseException extends RuntimeException {

    public DatabaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
