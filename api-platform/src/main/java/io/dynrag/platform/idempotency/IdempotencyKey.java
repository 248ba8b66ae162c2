package io.dynrag.platform.idempotency;

import io.dynrag.platform.http.ApiProblem;

import java.util.Optional;

/**
 * The client's name for one logical request, from the {@value #HEADER} header (or a tool call's argument): 1 to
 * 255 printable ASCII characters without spaces, so it stores and logs safely as it is.
 */
public record IdempotencyKey(String value) {

    public static final String HEADER = "Idempotency-Key";
    static final int MAX_LENGTH = 255;

    public IdempotencyKey {
        if (!isValid(value)) {
            throw malformed(HEADER);
        }
    }

    /**
     * @return empty when the header is absent
     * @throws ApiProblem 400 for a malformed key
     */
    public static Optional<IdempotencyKey> fromHeader(String header) {
        return header == null ? Optional.empty() : Optional.of(new IdempotencyKey(header));
    }

    /**
     * A key sent as an argument rather than a header (an MCP tool call's): the same rule, its refusal naming the
     * argument.
     *
     * @return empty when the argument is absent
     * @throws ApiProblem 400 for a malformed key
     */
    public static Optional<IdempotencyKey> fromArgument(String name, String value) {
        if (value != null && !isValid(value)) {
            throw malformed(name);
        }
        return Optional.ofNullable(value).map(IdempotencyKey::new);
    }

    private static ApiProblem malformed(String name) {
        return ApiProblem.badRequest("'" + name + "' must be 1 to " + MAX_LENGTH
                + " printable ASCII characters without spaces (a UUID is a good choice)");
    }

    static boolean isValid(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            return false;
        }
        return value.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
    }
}
