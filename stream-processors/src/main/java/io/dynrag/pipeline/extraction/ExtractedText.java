package io.dynrag.pipeline.extraction;

import io.dynrag.domain.document.format.DocumentFormat;

import java.util.List;
import java.util.Objects;

/**
 * The text of a document, ready to chunk.
 *
 * @param text           the text to chunk; line endings are {@code \n}
 * @param chunkingFormat how the chunker reads {@code text}: {@link DocumentFormat#MARKDOWN} (headings
 *                       start sections; HTML becomes this) or {@link DocumentFormat#PLAIN_TEXT} (PDF
 *                       becomes this)
 * @param title          the document's own title (HTML {@code <title>} or first {@code <h1>}, PDF
 *                       document information, a Markdown file's first level-1 heading), or null
 * @param pages          number of pages of a paged document, 0 otherwise
 * @param pageSpans      for a paged document one span per page in page order, else empty
 */
public record ExtractedText(String text, DocumentFormat chunkingFormat, String title, int pages,
                            List<PageSpan> pageSpans) {

    public ExtractedText {
        Objects.requireNonNull(text, "text");
        if (chunkingFormat != DocumentFormat.MARKDOWN && chunkingFormat != DocumentFormat.PLAIN_TEXT) {
            throw new IllegalArgumentException("text is chunked as Markdown or plain text, not " + chunkingFormat);
        }
        pageSpans = List.copyOf(pageSpans);
        if (pages < 0 || pageSpans.size() != pages) {
            throw new IllegalArgumentException(pages + " pages need as many spans, got " + pageSpans.size());
        }
        int previousEnd = 0;
        for (int i = 0; i < pageSpans.size(); i++) {
            PageSpan span = pageSpans.get(i);
            if (span.page() != i + 1 || span.charStart() < previousEnd || span.charEnd() > text.length()) {
                throw new IllegalArgumentException("page spans must follow each other inside the text: " + span);
            }
            previousEnd = span.charEnd();
        }
    }

    /**
     * The page that the character at {@code charOffset} belongs to, for giving chunks page numbers
     * (pass a chunk's first character offset). An offset between two pages (the separating blank
     * line) belongs to the page that follows.
     *
     * @return the page number from 1, or null for text that has no pages or an offset outside the text
     */
    public Integer pageAt(int charOffset) {
        if (pageSpans.isEmpty() || charOffset < 0 || charOffset > text.length()) {
            return null;
        }
        int low = 0;
        int high = pageSpans.size() - 1;
        // The first page whose text ends after the offset: it holds the offset, or follows the gap it is in.
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (pageSpans.get(middle).charEnd() > charOffset) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        int page = low;
        while (page < pageSpans.size() && pageSpans.get(page).isEmpty()) {
            page++;
        }
        if (page == pageSpans.size() || pageSpans.get(page).charEnd() <= charOffset) {
            // Past the text of the last page with text.
            return lastPageWithText();
        }
        return pageSpans.get(page).page();
    }

    private Integer lastPageWithText() {
        for (int i = pageSpans.size() - 1; i >= 0; i--) {
            if (!pageSpans.get(i).isEmpty()) {
                return pageSpans.get(i).page();
            }
        }
        return null;
    }
}
