package io.dynrag.platform.http;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Duration;

/**
 * The RFC 9457 body. {@code type} stays "about:blank": the status and title say it all.
 *
 * @param retryAfter an extension member: the seconds after which the client may try again, where no
 *                   {@code Retry-After} header can say it (an item of a batch); null elsewhere
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProblemDetails(String type, String title, int status, String detail, String instance,
                             Long retryAfter) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static ProblemDetails of(int status, String title, String detail, String instance) {
        return new ProblemDetails("about:blank", title, status, detail, instance, null);
    }

    public static ProblemDetails of(ApiProblem problem, String instance) {
        return new ProblemDetails("about:blank", problem.title(), problem.status(), problem.detail(), instance,
                problem.retryAfter().map(Duration::toSeconds).orElse(null));
    }
}
