package io.dynrag.platform.http;

import io.javalin.http.Context;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which browser origins may call the API from their pages ({@code DYNRAG_CORS_ORIGINS}): exact origins, or
 * {@code *} for any. With none, responses carry no CORS headers and browsers keep pages of other origins from
 * reading them, as before. A request from an origin not listed gets no CORS headers either, its preflight
 * included, so the browser refuses it; servers and scripts outside browsers are not affected either way.
 *
 * <p>With origins listed every answer carries {@code Vary: Origin} (its CORS headers depend on it); a listed origin
 * is echoed and may send credentials; with
 * {@code *} credentials are never allowed, as browsers refuse them beside a wildcard. The API itself uses no
 * cookies: a page sends its bearer token in {@code Authorization}.
 */
public record CorsPolicy(Set<String> origins, boolean anyOrigin) {

    /** No origin may call: no CORS headers at all. */
    public static final CorsPolicy NONE = new CorsPolicy(Set.of(), false);

    static final String ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE";
    /** The request headers the API reads; browsers send others (Accept, …) without asking. */
    static final String ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, X-API-Key, "
            + RequestOrigin.HEADER;
    /** The response headers a page needs beyond the few browsers always show. */
    static final String EXPOSED_HEADERS = "Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, "
            + "RateLimit-Reset, Idempotent-Replayed, WWW-Authenticate, X-Document-Version, " + RequestOrigin.HEADER;
    /** How long a browser may reuse a preflight's answer (browsers cap it themselves, Chromium at 2 hours). */
    static final Duration MAX_AGE = Duration.ofHours(1);

    public CorsPolicy {
        origins = Set.copyOf(origins);
    }

    /**
     * @param setting comma-separated origins such as {@code https://app.example.com,http://localhost:3000}, or
     *                {@code *}; null or blank for none
     * @throws IllegalArgumentException naming the entry that is not an origin as browsers send them
     */
    public static CorsPolicy parse(String setting) {
        if (setting == null || setting.isBlank()) {
            return NONE;
        }
        Set<String> origins = new LinkedHashSet<>();
        boolean any = false;
        for (String raw : setting.split(",")) {
            String entry = raw.strip();
            if (entry.equals("*")) {
                any = true;
            } else if (!entry.isEmpty()) {
                origins.add(origin(entry));
            }
        }
        if (any && !origins.isEmpty()) {
            throw new IllegalArgumentException("'*' allows every origin; list either '*' alone or exact origins");
        }
        return new CorsPolicy(origins, any);
    }

    /**
     * Before every request: a preflight from an allowed origin is answered here, 204 with what may be sent; any
     * other request from an allowed origin gets the headers that let the page read the answer, errors included.
     */
    void apply(Context ctx) {
        if (!origins.isEmpty()) {
            // The answer's CORS headers depend on the Origin, whatever it is: a cache must not hand the answer
            // one origin got (with or without them) to another.
            ctx.header("Vary", "Origin");
        }
        String origin = ctx.header("Origin");
        if (origin == null || !(anyOrigin || origins.contains(origin))) {
            return;
        }
        if (anyOrigin) {
            ctx.header("Access-Control-Allow-Origin", "*");
        } else {
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Access-Control-Allow-Credentials", "true");
        }
        if (ctx.method().name().equals("OPTIONS") && ctx.header("Access-Control-Request-Method") != null) {
            ctx.header("Access-Control-Allow-Methods", ALLOWED_METHODS);
            ctx.header("Access-Control-Allow-Headers", ALLOWED_HEADERS);
            ctx.header("Access-Control-Max-Age", Long.toString(MAX_AGE.toSeconds()));
            ctx.status(204);
            ctx.skipRemainingHandlers();
            return;
        }
        ctx.header("Access-Control-Expose-Headers", EXPOSED_HEADERS);
    }

    /** The entry when it is an origin exactly as a browser writes one: scheme, host and port only, lower case. */
    private static String origin(String entry) {
        String problem = "'" + entry + "' is not an origin; write scheme://host[:port] as browsers send it, "
                + "without a path or a trailing '/', e.g. https://app.example.com";
        URI uri;
        try {
            uri = new URI(entry);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(problem);
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
                || uri.getRawUserInfo() != null || !uri.getRawPath().isEmpty() || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(problem);
        }
        boolean defaultPort = uri.getPort() == (scheme.equals("https") ? 443 : 80);
        String canonical = scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT)
                + (uri.getPort() == -1 || defaultPort ? "" : ":" + uri.getPort());
        if (!canonical.equals(entry)) {
            throw new IllegalArgumentException(problem + " (here: " + canonical + ")");
        }
        return entry;
    }
}
