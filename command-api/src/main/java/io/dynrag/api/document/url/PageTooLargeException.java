package io.dynrag.api.document.url;

/** The page declares or turns out to be larger than the customer takes; the connection was dropped at once. */
public class PageTooLargeException extends RuntimeException {

    public PageTooLargeException(long maxBytes) {
        super("the page is larger than your limit of " + maxBytes + " bytes");
    }
}
