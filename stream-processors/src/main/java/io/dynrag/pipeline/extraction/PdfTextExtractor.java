package io.dynrag.pipeline.extraction;

import io.dynrag.domain.document.format.DocumentFormat;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSDocument;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSObject;
import org.apache.pdfbox.cos.COSObjectKey;
import org.apache.pdfbox.cos.COSStream;
import org.apache.pdfbox.filter.Filter;
import org.apache.pdfbox.filter.FilterFactory;
import org.apache.pdfbox.io.MemoryUsageSetting;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.pdfbox.text.TextPosition;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The text layer of a PDF, page by page, with PDFBox.
 *
 * <p>Memory stays bounded for hostile files: PDFBox decodes every stream it reads completely into
 * the heap, so before extracting, every stream that text extraction may decode (content streams,
 * forms, fonts, object streams) is decoded once into a counting sink that gives up past a cap; the
 * scratch memory for decrypted streams is capped too; pages and glyphs are counted while the text
 * is stripped, so a page with millions of glyphs fails before its glyphs fill the heap. What this
 * cannot cover are the few streams PDFBox decodes while opening the file (a cross-reference stream
 * and the object stream holding the catalog).
 */
final class PdfTextExtractor {

    /** The largest decoded size of a single stream; real content streams and fonts stay far below. */
    static final long DEFAULT_MAX_DECODED_STREAM_BYTES = 64L << 20;
    /** The largest decoded size of all streams together, bounding the time the check takes. */
    private static final long MAX_DECODED_TOTAL_BYTES = 512L << 20;
    /** Scratch memory PDFBox may use, for decrypted streams. */
    private static final long MAX_SCRATCH_BYTES = 128L << 20;
    /**
     * Glyphs one page may draw. PDFBox keeps an object per glyph until the page is written out,
     * so this bounds the memory a single page takes; dense real pages have a few ten thousand.
     */
    static final int DEFAULT_MAX_GLYPHS_PER_PAGE = 250_000;
    /** Filters only images use: text extraction never decodes such streams. */
    private static final Set<COSName> IMAGE_FILTERS = Set.of(COSName.DCT_DECODE, COSName.DCT_DECODE_ABBREVIATION,
            COSName.JPX_DECODE, COSName.JBIG2_DECODE, COSName.CCITTFAX_DECODE, COSName.CCITTFAX_DECODE_ABBREVIATION);
    private static final String PAGE_SEPARATOR = "\n\n";

    private final long maxDecodedStreamBytes;
    private final int maxGlyphsPerPage;

    PdfTextExtractor() {
        this(DEFAULT_MAX_DECODED_STREAM_BYTES, DEFAULT_MAX_GLYPHS_PER_PAGE);
    }

    PdfTextExtractor(long maxDecodedStreamBytes, int maxGlyphsPerPage) {
        this.maxDecodedStreamBytes = maxDecodedStreamBytes;
        this.maxGlyphsPerPage = maxGlyphsPerPage;
    }

    ExtractedText extract(byte[] bytes, ExtractionLimits limits) {
        try (PDDocument document = Loader.loadPDF(bytes, "", null, null,
                MemoryUsageSetting.setupMainMemoryOnly(MAX_SCRATCH_BYTES).streamCache)) {
            int pages = document.getNumberOfPages();
            if (pages > limits.maxPages()) {
                throw tooManyPages(pages, limits);
            }
            if (pages == 0) {
                throw new ExtractionFailedException("the PDF has no pages");
            }
            checkDecodedStreamSizes(document.getDocument());
            PageCollector collector = new PageCollector(limits, maxGlyphsPerPage);
            collector.writeText(document, collector.sink);
            return assemble(collector, Math.max(pages, collector.lastPage), document, limits);
        } catch (InvalidPasswordException e) {
            throw new ExtractionFailedException("the PDF is encrypted with a password");
        } catch (ExtractionFailedException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ExtractionFailedException("the PDF is damaged and cannot be read", e);
        }
    }

    private static ExtractedText assemble(PageCollector collector, int pages, PDDocument document,
                                          ExtractionLimits limits) {
        StringBuilder text = new StringBuilder();
        List<PageSpan> spans = new ArrayList<>(pages);
        int next = 0;
        for (int page = 1; page <= pages; page++) {
            String pageText = next < collector.texts.size() && collector.numbers.get(next) == page
                    ? collector.texts.get(next++) : "";
            if (!pageText.isEmpty() && !text.isEmpty()) {
                text.append(PAGE_SEPARATOR);
            }
            int start = text.length();
            text.append(pageText);
            spans.add(new PageSpan(page, start, text.length()));
        }
        if (text.length() > limits.maxCharacters()) {
            throw tooManyCharacters(limits);
        }
        if (text.isEmpty()) {
            throw new ExtractionFailedException("the PDF has no text layer (is it a scan?)");
        }
        return new ExtractedText(text.toString(), DocumentFormat.PLAIN_TEXT, title(document), pages, spans);
    }

    private static String title(PDDocument document) {
        return TextCleanup.title(document.getDocumentInformation().getTitle());
    }

    /**
     * Decodes every stream that text extraction may decode into a sink that only counts, and
     * fails the document if one of them, or all together, expand beyond the caps.
     */
    private void checkDecodedStreamSizes(COSDocument document) throws IOException {
        long total = 0;
        for (Map.Entry<COSObjectKey, Long> entry : new ArrayList<>(document.getXrefTable().entrySet())) {
            // A negative offset names the object stream an object lives in; streams never do.
            if (entry.getValue() == null || entry.getValue() < 0) {
                continue;
            }
            COSObject object = document.getObjectFromPool(entry.getKey());
            COSBase base = object == null ? null : object.getObject();
            if (base instanceof COSStream stream && decodedByTextExtraction(stream)) {
                total += decodedSize(stream);
                if (total > MAX_DECODED_TOTAL_BYTES) {
                    throw new ExtractionFailedException("the PDF's compressed content expands to more than "
                            + (MAX_DECODED_TOTAL_BYTES >> 20) + " MiB");
                }
            }
        }
    }

    private static boolean decodedByTextExtraction(COSStream stream) {
        if (COSName.IMAGE.equals(stream.getCOSName(COSName.SUBTYPE))
                || COSName.EMBEDDED_FILE.equals(stream.getCOSName(COSName.TYPE))) {
            return false;
        }
        return filterNames(stream).stream().noneMatch(IMAGE_FILTERS::contains);
    }

    private long decodedSize(COSStream stream) throws IOException {
        List<COSName> names = filterNames(stream);
        if (names.isEmpty()) {
            return 0;
        }
        List<Filter> filters = new ArrayList<>(names.size());
        for (COSName name : names) {
            try {
                filters.add(FilterFactory.INSTANCE.getFilter(name));
            } catch (IOException unknownFilter) {
                // Extraction fails on it or skips the stream; either way nothing gets decoded.
                return 0;
            }
        }
        InputStream input = stream.createRawInputStream();
        long decoded = 0;
        try {
            for (int i = 0; i < filters.size(); i++) {
                CountingSink sink = new CountingSink(maxDecodedStreamBytes, i < filters.size() - 1);
                filters.get(i).decode(input, sink, stream, i);
                input.close();
                input = sink.contents();
                decoded = sink.count;
            }
        } catch (DecodedTooLarge e) {
            throw new ExtractionFailedException("the PDF contains a compressed stream that expands to more than "
                    + (maxDecodedStreamBytes >> 20) + " MiB");
        } catch (IOException | RuntimeException brokenData) {
            // Damaged data is not ours to judge here: extraction decides whether it can live with it.
            return decoded;
        } finally {
            input.close();
        }
        return decoded;
    }

    private static List<COSName> filterNames(COSStream stream) {
        COSBase filters = stream.getFilters();
        if (filters instanceof COSName name) {
            return List.of(name);
        }
        List<COSName> names = new ArrayList<>();
        if (filters instanceof COSArray array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.getObject(i) instanceof COSName name) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private static ExtractionFailedException tooManyPages(int pages, ExtractionLimits limits) {
        return new ExtractionFailedException("the PDF has " + TextCleanup.count(pages) + " pages; the limit is "
                + TextCleanup.count(limits.maxPages()));
    }

    private static ExtractionFailedException tooManyCharacters(ExtractionLimits limits) {
        return new ExtractionFailedException("the PDF's text is longer than the limit of "
                + TextCleanup.count(limits.maxCharacters()) + " characters");
    }

    /** Keeps each page's tidied text, checking the limits as the stripper goes. */
    private static final class PageCollector extends PDFTextStripper {

        private final ExtractionLimits limits;
        private final int maxGlyphsPerPage;
        private final StringBuilder page = new StringBuilder();
        private final List<Integer> numbers = new ArrayList<>();
        private final List<String> texts = new ArrayList<>();
        private long characters;
        private int glyphsOnPage;
        private int lastPage;

        /** Receives what the stripper writes; stops a single page from outgrowing the character limit. */
        private final Writer sink = new Writer() {
            @Override
            public void write(char[] buffer, int offset, int length) {
                // Tidying removes whitespace: the raw text may exceed the limit by a little.
                if (page.length() + characters + length > 2L * limits.maxCharacters()) {
                    throw tooManyCharacters(limits);
                }
                page.append(buffer, offset, length);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };

        PageCollector(ExtractionLimits limits, int maxGlyphsPerPage) {
            this.limits = limits;
            this.maxGlyphsPerPage = maxGlyphsPerPage;
            setLineSeparator("\n");
            setAddMoreFormatting(true);
        }

        @Override
        protected void startPage(PDPage pdPage) {
            // The page count in the page tree may lie; the pages actually walked count too.
            if (getCurrentPageNo() > limits.maxPages()) {
                throw new ExtractionFailedException("the PDF has more than " + TextCleanup.count(limits.maxPages())
                        + " pages; the limit is " + TextCleanup.count(limits.maxPages()));
            }
            page.setLength(0);
            glyphsOnPage = 0;
        }

        @Override
        protected void processTextPosition(TextPosition text) {
            if (++glyphsOnPage > maxGlyphsPerPage) {
                throw new ExtractionFailedException("page " + getCurrentPageNo() + " of the PDF draws more than "
                        + TextCleanup.count(maxGlyphsPerPage) + " characters");
            }
            super.processTextPosition(text);
        }

        @Override
        protected void endPage(PDPage pdPage) {
            String text = TextCleanup.tidyLayoutText(page);
            page.setLength(0);
            lastPage = getCurrentPageNo();
            if (!text.isEmpty()) {
                characters += text.length() + PAGE_SEPARATOR.length();
                if (characters > limits.maxCharacters() + PAGE_SEPARATOR.length()) {
                    throw tooManyCharacters(limits);
                }
                numbers.add(lastPage);
                texts.add(text);
            }
        }
    }

    /** Counts decoded bytes, keeping them only when another filter must read them. */
    private static final class CountingSink extends OutputStream {

        private final long limit;
        private final ByteArrayOutputStream kept;
        private long count;

        CountingSink(long limit, boolean keep) {
            this.limit = limit;
            this.kept = keep ? new ByteArrayOutputStream() : null;
        }

        @Override
        public void write(int b) throws IOException {
            grow(1);
            if (kept != null) {
                kept.write(b);
            }
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            grow(length);
            if (kept != null) {
                kept.write(buffer, offset, length);
            }
        }

        private void grow(int length) throws DecodedTooLarge {
            count += length;
            if (count > limit) {
                throw new DecodedTooLarge();
            }
        }

        InputStream contents() {
            return new ByteArrayInputStream(kept == null ? new byte[0] : kept.toByteArray());
        }
    }

    private static final class DecodedTooLarge extends IOException {
        DecodedTooLarge() {
            super("decoded stream too large", null);
        }
    }
}
