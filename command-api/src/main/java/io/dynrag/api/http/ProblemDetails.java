package io.dynrag.api.http;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The RFC 9457 body. {@code type} stays "about:blank": the status and title say it all. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProblemDetails(String type, String title, int status, String detail, String instance) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static ProblemDetails of(int status, String title, String detail, String instance) {
        return new ProblemDetails("about:blank", title, status, detail, instance);
    }
}
