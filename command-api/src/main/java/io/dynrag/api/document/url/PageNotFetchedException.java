package io.dynrag.api.document.url;

import io.dynrag.platform.outbound.FetchableUrl;

/**
 * The page could not be fetched: an error status, too many or broken redirects, an unknown host, no connection,
 * the deadline. The reason is told only as far as it is the page's business.
 */
public class PageNotFetchedException extends RuntimeException {

    public PageNotFetchedException(FetchableUrl url, String why) {
        super(url + " could not be fetched: " + why);
    }
}
