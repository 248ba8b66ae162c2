package io.dynrag.api.document;

/** An upload is larger than the customer (or the server) takes; found while reading it, before anything is kept. */
public class DocumentTooLargeException extends RuntimeException {

    public DocumentTooLargeException(long maxBytes) {
        super("the file is larger than the limit of " + maxBytes + " bytes");
    }
}
