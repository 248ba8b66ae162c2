package io.dynrag.app.verify;

import java.util.Objects;

/**
 * One line of a verification: a discrepancy between the events and what is stored, or a note about
 * a state the events explain (a version still being indexed, a failed one).
 *
 * @param subject what the line is about: {@code document <id> v<version>}, {@code document <id>} or
 *                {@code customer <id>}
 */
public record Finding(Kind kind, String subject, String message) {

    public enum Kind { DISCREPANCY, NOTE }

    public Finding {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(message, "message");
    }

    static Finding discrepancy(String subject, String message) {
        return new Finding(Kind.DISCREPANCY, subject, message);
    }

    static Finding note(String subject, String message) {
        return new Finding(Kind.NOTE, subject, message);
    }

    static String document(String documentId) {
        return "document " + documentId;
    }

    static String document(String documentId, int version) {
        return document(documentId) + " v" + version;
    }

    public boolean isDiscrepancy() {
        return kind == Kind.DISCREPANCY;
    }

    /** The line as printed: {@code DISCREPANCY document 3f9f… v2: …}. */
    public String line() {
        return kind + " " + subject + ": " + message;
    }
}
