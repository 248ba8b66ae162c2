package io.dynrag.api.document;

/**
 * The content is not a document we index (by what it contains, not its name), or not a type the customer's
 * configuration allows; the message says which, and what would be taken.
 */
public class UnsupportedDocumentTypeException extends RuntimeException {

    public UnsupportedDocumentTypeException(String message) {
        super(message);
    }
}
