package io.dynrag.pipeline.extraction;

/**
 * How much of a document extraction accepts; a document over a limit fails rather than being
 * indexed in part.
 *
 * @param maxPages      most pages of a paged document (PDF)
 * @param maxCharacters most characters of extracted text, in UTF-16 units as {@link String#length()} counts
 */
public record ExtractionLimits(int maxPages, int maxCharacters) {

    public static final ExtractionLimits DEFAULTS = new ExtractionLimits(2_000, 5_000_000);

    public ExtractionLimits {
        if (maxPages < 1 || maxCharacters < 1) {
            throw new IllegalArgumentException("extraction limits must be positive: maxPages=" + maxPages
                    + ", maxCharacters=" + maxCharacters);
        }
    }
}
