package io.dynrag.domain.document.format;

import java.util.Locale;
import java.util.Optional;

/** The kinds of document the pipeline can index, each with the media type it is stored under. */
public enum DocumentFormat {

    PDF("application/pdf"),
    HTML("text/html"),
    MARKDOWN("text/markdown"),
    PLAIN_TEXT("text/plain");

    private final String mediaType;

    DocumentFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    /** The media type without parameters, e.g. {@code text/markdown}. */
    public String mediaType() {
        return mediaType;
    }

    /**
     * The format of a media type as found in a {@code Content-Type} header or an event: case and
     * parameters such as {@code charset} do not matter, and the common aliases
     * {@code text/x-markdown} and {@code application/xhtml+xml} are understood.
     */
    public static Optional<DocumentFormat> fromMediaType(String mediaType) {
        if (mediaType == null) {
            return Optional.empty();
        }
        int parameters = mediaType.indexOf(';');
        String essence = (parameters < 0 ? mediaType : mediaType.substring(0, parameters))
                .strip().toLowerCase(Locale.ROOT);
        return switch (essence) {
            case "application/pdf" -> Optional.of(PDF);
            case "text/html", "application/xhtml+xml" -> Optional.of(HTML);
            case "text/markdown", "text/x-markdown" -> Optional.of(MARKDOWN);
            case "text/plain" -> Optional.of(PLAIN_TEXT);
            default -> Optional.empty();
        };
    }
}
