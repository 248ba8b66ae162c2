package io.dynrag.api.document;

import io.dynrag.domain.document.DocumentQuery;
import io.dynrag.platform.http.QueryParameters;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Optional;

/**
 * Where a page of the document list ended, wrapped so clients treat it as opaque: the order it belongs to, and
 * the last document's sort value and id. A forged cursor only moves the caller within its own documents.
 */
final class DocumentListCursor {

    private static final String PREFIX = "d1";
    private static final int MAX_LENGTH = 2048;

    private DocumentListCursor() {
    }

    static String after(DocumentQuery.Sort sort, boolean descending, DocumentListItem last) {
        String value = switch (sort) {
            case UPDATED_AT -> last.updatedAt().toString();
            case CREATED_AT -> last.createdAt().toString();
            case TITLE -> last.title();
        };
        String plain = String.join("\n", PREFIX, sort.name(), descending ? "desc" : "asc", last.documentId(), value);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** The position the cursor names in this order; empty for anything {@link #after} did not hand out for it. */
    static Optional<DocumentQuery.Position> position(String cursor, DocumentQuery.Sort sort, boolean descending) {
        if (cursor.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8)
                    .split("\n", 5);
            if (parts.length != 5 || !parts[0].equals(PREFIX) || !parts[1].equals(sort.name())
                    || !parts[2].equals(descending ? "desc" : "asc")) {
                return Optional.empty();
            }
            // A cursor the list handed out holds no U+0000 and no time past the four-digit years: a forged one that
            // does would fail the database's comparison instead of being refused.
            if (parts[3].indexOf('\u0000') >= 0 || parts[4].indexOf('\u0000') >= 0) {
                return Optional.empty();
            }
            if (sort != DocumentQuery.Sort.TITLE && !QueryParameters.ofFourDigitYear(Instant.parse(parts[4]))) {
                return Optional.empty();
            }
            return Optional.of(new DocumentQuery.Position(parts[4], parts[3]));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
