package io.dynrag.api.document;

import io.dynrag.domain.document.DocumentQuery;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A cursor the list handed out names its position; a forged one the database could not compare with names none. */
class DocumentListCursorTest {

    private static final Instant AT = Instant.parse("2026-11-26T14:22:40.061Z");

    @Test
    void aHandedOutCursorNamesWhereItsPageEnded() {
        DocumentListItem last = new DocumentListItem("doc-1", "Tides", "INDEXED", "text/markdown", 10, 1, AT, AT,
                Map.of());

        String cursor = DocumentListCursor.after(DocumentQuery.Sort.UPDATED_AT, true, last);

        assertThat(DocumentListCursor.position(cursor, DocumentQuery.Sort.UPDATED_AT, true))
                .contains(new DocumentQuery.Position(AT.toString(), "doc-1"));
        assertThat(DocumentListCursor.position(cursor, DocumentQuery.Sort.UPDATED_AT, false)).isEmpty();
    }

    @Test
    void aForgedCursorWithNulOrATimeBeyondTheYear9999NamesNoPosition() {
        assertThat(DocumentListCursor.position(forged("d1\nUPDATED_AT\ndesc\nid\u0000\n" + AT),
                DocumentQuery.Sort.UPDATED_AT, true)).isEmpty();
        assertThat(DocumentListCursor.position(forged("d1\nTITLE\nasc\nid\nTi\u0000des"), DocumentQuery.Sort.TITLE,
                false)).isEmpty();
        assertThat(DocumentListCursor.position(forged("d1\nCREATED_AT\ndesc\nid\n+999999999-12-31T23:59:59Z"),
                DocumentQuery.Sort.CREATED_AT, true)).isEmpty();
        assertThat(DocumentListCursor.position(forged("d1\nCREATED_AT\ndesc\nid\n-300000-01-01T00:00:00Z"),
                DocumentQuery.Sort.CREATED_AT, true)).isEmpty();
        assertThat(DocumentListCursor.position(forged("d1\nCREATED_AT\ndesc\nid\n9999-12-31T23:59:59Z"),
                DocumentQuery.Sort.CREATED_AT, true)).as("the last four-digit year")
                .contains(new DocumentQuery.Position("9999-12-31T23:59:59Z", "id"));
    }

    private static String forged(String plain) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }
}
