package io.dynrag.api.document.url;

/** The page declares a type we do not index (or none); its body was not read. */
public class UnsupportedPageTypeException extends RuntimeException {

    public UnsupportedPageTypeException(String message) {
        super(message);
    }
}
