package io.dynrag.platform.idempotency;

import io.dynrag.platform.http.ApiProblem;

import java.util.Optional;

/**
 * The client's name for one logical request, from the {@value #HEADER} header: 1 to 255 printable ASCII
 * characters without spaces, so it stores and logs safely as it is.
 */
public record IdempotencyKey(String value) {

    public static final String HEADER = "Idempotency-Key";
    static final int MAX_LENGTH = 255;

    public IdempotencyKey {
        if (!isValid(value)) {
            throw ApiProblem.badRequest("'" + HEADER + "' must be 1 to " + MAX_LENGTH
                    + " printable ASCII characters without spaces (a UUID is a good choice)");
        }
    }

    /**
     * @return empty when the header is absent
     * @throws ApiProblem 400 for a malformed key
     */
    public static Optional<IdempotencyKey> fromHeader(String header) {
        return header == null ? Optional.empty() : Optional.of(new IdempotencyKey(header));
    }

    static boolean isValid(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            return false;
        }
        return value.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
    }
}
