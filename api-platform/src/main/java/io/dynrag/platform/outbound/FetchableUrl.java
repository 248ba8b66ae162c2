package io.dynrag.platform.outbound;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A URL the fetcher may request: absolute, http or https, with a host and without credentials.
 * Where it may connect to is decided later, by {@link AddressPolicy}, once the host is resolved.
 *
 * @param uri  the URL without its fragment, which is never sent
 * @param host the host without IPv6 brackets
 */
public record FetchableUrl(URI uri, String host, int port) {

    public static final int MAX_LENGTH = 2048;
    private static final Set<String> SCHEMES = Set.of("http", "https");
    /** No top-level domain is a number: a host ending in one (decimal or 0x hex) is meant as an IPv4 address. */
    private static final Pattern NUMERIC_LAST_LABEL = Pattern.compile("(?i)(.*\\.)?(\\d+|0x[0-9a-f]*)\\.?");
    private static final Pattern CANONICAL_IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

    /** @throws InvalidUrlException saying what is wrong */
    public static FetchableUrl parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidUrlException("'url' is required");
        }
        String url = text.strip();
        if (url.length() > MAX_LENGTH) {
            throw new InvalidUrlException("the URL is longer than " + MAX_LENGTH + " characters");
        }
        try {
            return of(new URI(url));
        } catch (URISyntaxException e) {
            throw new InvalidUrlException("'" + shorten(url) + "' is not a valid URL: " + e.getReason());
        }
    }

    /** @throws InvalidUrlException saying what is wrong */
    public static FetchableUrl of(URI uri) {
        if (!uri.isAbsolute() || uri.isOpaque()) {
            throw new InvalidUrlException("'" + shorten(uri.toString()) + "' is not an absolute http or https URL");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw new InvalidUrlException("only http and https URLs are fetched, not " + scheme + ":");
        }
        if (uri.getRawUserInfo() != null) {
            throw new InvalidUrlException("the URL must not contain credentials (user:password@)");
        }
        String host = uri.getHost();
        if (host == null || host.isBlank()) {
            throw new InvalidUrlException("'" + shorten(uri.toString()) + "' has no valid host");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (NUMERIC_LAST_LABEL.matcher(host).matches() && !CANONICAL_IPV4.matcher(host).matches()) {
            // Browsers read 2130706433, 0177.0.0.1 and 0x7f.1 as 127.0.0.1, the JDK reads some of them otherwise
            // (0177 as 177) and DNS as names: whatever one meant, refuse rather than guess.
            throw new InvalidUrlException("the host '" + host + "' is not a host name, and as an IPv4 address it "
                    + "must be four decimal numbers from 0 to 255 without leading zeros, such as 192.0.2.1");
        }
        int port = uri.getPort() == -1 ? ("https".equals(scheme) ? 443 : 80) : uri.getPort();
        if (port < 1 || port > 65_535) {
            throw new InvalidUrlException("the port " + port + " is not valid");
        }
        return new FetchableUrl(URI.create(withoutFragment(uri, scheme)), host, port);
    }

    /** What the document is called by default: the last path segment, or the host for a site's root. */
    public String name() {
        String path = uri.getPath() == null ? "" : uri.getPath();
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        String segment = path.substring(path.lastIndexOf('/', end - 1) + 1, end).strip();
        return segment.isEmpty() ? host : segment;
    }

    /** The URL as text without the fragment, with the scheme in lower case. */
    private static String withoutFragment(URI uri, String scheme) {
        String text = uri.toString();
        int hash = text.indexOf('#');
        String kept = hash < 0 ? text : text.substring(0, hash);
        return scheme + kept.substring(uri.getScheme().length());
    }

    private static String shorten(String url) {
        return url.length() <= 100 ? url : url.substring(0, 100) + "…";
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
