package io.dynrag.api.openapi;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * {@code GET /openapi.json}: the OpenAPI document of every route, for anyone. It is {@code docs/openapi.json},
 * which the build packages as this class's resource, so the served and the documented contract are one file.
 */
public final class OpenApiEndpoints implements Consumer<RoutesConfig> {

    public static final String PATH = "/openapi.json";
    /** Where the build puts {@code docs/openapi.json} on the class path. */
    static final String RESOURCE = "openapi.json";
    /** It changes only with a release; the ETag lets a client revalidate cheaply after the hour. */
    private static final String CACHE_CONTROL = "public, max-age=3600";

    private final byte[] document;
    private final String etag;

    public OpenApiEndpoints() {
        this.document = document();
        this.etag = "\"" + sha256(document) + "\"";
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.get(PATH, this::serve);
    }

    private void serve(Context ctx) {
        ctx.header("Cache-Control", CACHE_CONTROL);
        ctx.header("ETag", etag);
        if (etag.equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType("application/json").result(document);
    }

    /** The packaged document; its absence is a broken build, not a condition to serve around. */
    static byte[] document() {
        try (InputStream in = OpenApiEndpoints.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the build did not package " + RESOURCE + " next to "
                        + OpenApiEndpoints.class.getName());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
