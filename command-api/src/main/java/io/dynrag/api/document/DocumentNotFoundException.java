package io.dynrag.api.document;

/** No document of this id belongs to the customer: it never existed, or it is another customer's. */
public class DocumentNotFoundException extends RuntimeException {

    public DocumentNotFoundException(String documentId) {
        super("no document " + documentId);
    }
}
