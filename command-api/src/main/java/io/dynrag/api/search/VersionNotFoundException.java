package io.dynrag.api.search;

/** The document exists but has no version of that number. */
public class VersionNotFoundException extends RuntimeException {

    public VersionNotFoundException(String documentId, int version) {
        super("document " + documentId + " has no version " + version);
    }
}
