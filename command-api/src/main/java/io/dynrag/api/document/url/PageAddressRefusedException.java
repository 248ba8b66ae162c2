package io.dynrag.api.document.url;

/**
 * The URL, or a redirect on the way, leads to an internal address, which is never fetched: nothing was sent
 * there. The message names the host, never the address.
 */
public class PageAddressRefusedException extends RuntimeException {

    public PageAddressRefusedException(String message) {
        super(message);
    }
}
