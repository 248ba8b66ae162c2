package io.dynrag.pipeline.extraction;

import io.dynrag.domain.document.format.DocumentFormat;

import java.util.Objects;

/**
 * Turns a document's bytes into the text the chunker reads, whatever its format. Every failure
 * is an {@link ExtractionFailedException} whose message can be shown to the document's owner.
 * Stateless and thread-safe.
 */
public final class TextExtractor {

    private final PdfTextExtractor pdf = new PdfTextExtractor();
    private final HtmlTextExtractor html = new HtmlTextExtractor();
    private final Utf8TextExtractor utf8 = new Utf8TextExtractor();

    /**
     * @param bytes  the whole document
     * @param format the document's format, as detected from its content when it was accepted
     * @throws ExtractionFailedException if the document has no text, is over a limit, is encrypted,
     *     damaged or not in the given format
     */
    public ExtractedText extract(byte[] bytes, DocumentFormat format, ExtractionLimits limits) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(limits, "limits");
        return switch (format) {
            case PDF -> pdf.extract(bytes, limits);
            case HTML -> html.extract(bytes, limits);
            case MARKDOWN, PLAIN_TEXT -> utf8.extract(bytes, format, limits);
        };
    }
}
