package io.dynrag.api.document.url;

import io.dynrag.platform.outbound.AddressAllowlist;
import java.time.Duration;

/**
 * @param connectTimeout how long one connection attempt may take
 * @param timeout        how long a whole fetch may take: every redirect, the headers and the body
 * @param maxRedirects   redirects followed before the fetch fails
 * @param allowlist      internal hosts and address blocks that fetches may reach nonetheless
 */
public record UrlFetchSettings(Duration connectTimeout, Duration timeout, int maxRedirects,
                               AddressAllowlist allowlist) {

    public UrlFetchSettings {
        if (connectTimeout.isNegative() || connectTimeout.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the URL fetch timeouts must be positive");
        }
        if (maxRedirects < 0) {
            throw new IllegalArgumentException("maxRedirects must not be negative");
        }
    }
}
