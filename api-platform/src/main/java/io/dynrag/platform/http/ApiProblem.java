package io.dynrag.platform.http;

import java.time.Duration;
import java.util.Optional;

/**
 * A request that cannot be served, with what the client needs to fix it. Rendered as RFC 9457
 * {@code application/problem+json}.
 */
public class ApiProblem extends RuntimeException {

    private final int status;
    private final String title;
    private final Duration retryAfter;

    public ApiProblem(int status, String title, String detail) {
        this(status, title, detail, null);
    }

    /** @param retryAfter when the client may try again, answered as {@code Retry-After}; null for no advice */
    public ApiProblem(int status, String title, String detail, Duration retryAfter) {
        super(detail);
        this.status = status;
        this.title = title;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    public static ApiProblem badRequest(String detail) {
        return new ApiProblem(400, "Bad Request", detail);
    }

    public static ApiProblem unauthorized(String detail) {
        return new ApiProblem(401, "Unauthorized", detail);
    }

    public static ApiProblem forbidden(String detail) {
        return new ApiProblem(403, "Forbidden", detail);
    }

    public static ApiProblem notFound(String detail) {
        return new ApiProblem(404, "Not Found", detail);
    }

    public static ApiProblem tooLarge(String detail) {
        return new ApiProblem(413, "Content Too Large", detail);
    }

    public static ApiProblem unsupportedMediaType(String detail) {
        return new ApiProblem(415, "Unsupported Media Type", detail);
    }

    public static ApiProblem unavailable(String detail) {
        return new ApiProblem(503, "Service Unavailable", detail);
    }
}
