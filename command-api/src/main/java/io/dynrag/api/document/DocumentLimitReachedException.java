package io.dynrag.api.document;

/** A new document would take the customer over its {@code maxDocuments}; nothing was stored. */
public class DocumentLimitReachedException extends RuntimeException {

    public DocumentLimitReachedException(int maxDocuments) {
        super("your limit of " + maxDocuments + " documents is reached; delete documents or raise maxDocuments");
    }
}
