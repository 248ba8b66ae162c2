package io.dynrag.api.search;

/** The document version was never indexed (pending, processing or failed), so it has no rows to search. */
public class VersionNotSearchableException extends RuntimeException {

    public VersionNotSearchableException(String message) {
        super(message);
    }
}
