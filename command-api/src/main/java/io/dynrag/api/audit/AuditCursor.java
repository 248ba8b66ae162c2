package io.dynrag.api.audit;

import io.dynrag.platform.http.ApiProblem;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Where a page of the audit trail ended: the global index of its last event, wrapped so clients
 * treat it as opaque (the layout may change; the version prefix lets an old cursor be recognised).
 * A forged cursor only moves the caller within the events it may see anyway.
 */
final class AuditCursor {

    private static final String PREFIX = "v1:";
    private static final Pattern POSITION = Pattern.compile("\\d{1,18}");
    private static final int MAX_LENGTH = 64;

    private AuditCursor() {
    }

    static String after(long globalIndex) {
        if (globalIndex < 0) {
            throw new IllegalArgumentException("a global index is never negative: " + globalIndex);
        }
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((PREFIX + globalIndex).getBytes(StandardCharsets.US_ASCII));
    }

    /** @throws ApiProblem 400 for anything {@link #after} did not produce */
    static long position(String cursor) {
        if (cursor.length() <= MAX_LENGTH) {
            try {
                String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
                if (decoded.startsWith(PREFIX) && POSITION.matcher(decoded.substring(PREFIX.length())).matches()) {
                    return Long.parseLong(decoded.substring(PREFIX.length()));
                }
            } catch (IllegalArgumentException ignored) {
                // not base64: answered below
            }
        }
        throw ApiProblem.badRequest("'cursor' is not a cursor this API handed out; pass a page's 'nextCursor' as it is");
    }
}
