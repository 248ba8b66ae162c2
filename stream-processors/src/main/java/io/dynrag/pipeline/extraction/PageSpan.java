package io.dynrag.pipeline.extraction;

/**
 * Where one page's text lies in {@link ExtractedText#text()}.
 *
 * @param page      page number, from 1
 * @param charStart offset of the page's first character
 * @param charEnd   offset just after the page's last character; equal to {@code charStart} for a
 *                  page without text
 */
public record PageSpan(int page, int charStart, int charEnd) {

    public PageSpan {
        if (page < 1 || charStart < 0 || charEnd < charStart) {
            throw new IllegalArgumentException("invalid span of page " + page + ": [" + charStart + ", " + charEnd + ")");
        }
    }

    boolean isEmpty() {
        return charStart == charEnd;
    }
}
