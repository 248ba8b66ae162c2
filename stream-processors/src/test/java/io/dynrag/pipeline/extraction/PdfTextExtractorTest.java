package io.dynrag.pipeline.extraction;

import io.dynrag.domain.document.format.DocumentFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PdfTextExtractorTest {

    private final TextExtractor extractor = new TextExtractor();

    @BeforeAll
    static void keepFontCacheInBuildDirectory() {
        // PDFBox indexes the system fonts on first use and saves the index under user.home otherwise.
        System.setProperty("pdfbox.fontcache", System.getProperty("java.io.tmpdir"));
    }

    private ExtractedText extract(byte[] pdf) {
        return extractor.extract(pdf, DocumentFormat.PDF, ExtractionLimits.DEFAULTS);
    }

    @Test
    void pages_are_separated_and_spans_map_offsets_to_pages() {
        byte[] pdf = TestPdfs.pages("Alpha page one\nsecond line of alpha", "", "Gamma page three",
                "Delta page four");

        ExtractedText extracted = extract(pdf);

        assertThat(extracted.text())
                .isEqualTo("Alpha page one\nsecond line of alpha\n\nGamma page three\n\nDelta page four");
        assertThat(extracted.chunkingFormat()).isEqualTo(DocumentFormat.PLAIN_TEXT);
        assertThat(extracted.pages()).isEqualTo(4);
        assertThat(extracted.pageSpans()).containsExactly(
                new PageSpan(1, 0, 35), new PageSpan(2, 35, 35), new PageSpan(3, 37, 53), new PageSpan(4, 55, 70));
        String text = extracted.text();
        assertThat(text.substring(0, 35)).isEqualTo("Alpha page one\nsecond line of alpha");
        assertThat(text.substring(37, 53)).isEqualTo("Gamma page three");
        assertThat(extracted.pageAt(text.indexOf("second line"))).isEqualTo(1);
        assertThat(extracted.pageAt(text.indexOf("Gamma"))).isEqualTo(3);
        assertThat(extracted.pageAt(text.indexOf("three"))).isEqualTo(3);
        assertThat(extracted.pageAt(text.indexOf("Delta"))).isEqualTo(4);
        assertThat(extracted.pageAt(text.length() - 1)).isEqualTo(4);
    }

    @Test
    void many_pages_keep_exact_spans() {
        String[] pages = new String[30];
        for (int i = 0; i < pages.length; i++) {
            pages[i] = "Page marker " + (i + 1) + "\nsome text that belongs to page " + (i + 1);
        }

        ExtractedText extracted = extract(TestPdfs.pages(pages));

        assertThat(extracted.pages()).isEqualTo(30);
        for (PageSpan span : extracted.pageSpans()) {
            String pageText = extracted.text().substring(span.charStart(), span.charEnd());
            assertThat(pageText).isEqualTo(pages[span.page() - 1]);
            assertThat(extracted.pageAt(span.charStart())).isEqualTo(span.page());
            assertThat(extracted.pageAt(span.charEnd() - 1)).isEqualTo(span.page());
        }
    }

    @Test
    void document_information_title_is_kept() {
        ExtractedText extracted = extract(TestPdfs.withTitle("  Annual\nReport 2026 ", "Revenue grew."));

        assertThat(extracted.title()).isEqualTo("Annual Report 2026");
        assertThat(extracted.text()).isEqualTo("Revenue grew.");
    }

    @Test
    void without_title_the_title_is_null() {
        assertThat(extract(TestPdfs.pages("Untitled")).title()).isNull();
    }

    @Test
    void password_protected_pdf_fails() {
        assertThatThrownBy(() -> extract(TestPdfs.encrypted("Top secret plans")))
                .isInstanceOfSatisfying(ExtractionFailedException.class, e -> {
                    assertThat(e).hasMessage("the PDF is encrypted with a password");
                    assertThat(e.retryable()).isFalse();
                });
    }

    @Test
    void pdf_that_opens_without_password_is_read_although_encrypted() {
        // Only the owner's permissions are restricted; every viewer opens it without asking.
        assertThat(extract(TestPdfs.ownerRestricted("Readable by anyone")).text()).isEqualTo("Readable by anyone");
    }

    @Test
    void pdf_without_text_layer_fails() {
        assertThatThrownBy(() -> extract(TestPdfs.imageOnly()))
                .isInstanceOf(ExtractionFailedException.class)
                .hasMessage("the PDF has no text layer (is it a scan?)");
    }

    @Test
    void truncated_pdf_fails() {
        byte[] pdf = TestPdfs.pages("First page", "Second page", "Third page");

        assertThatThrownBy(() -> extract(Arrays.copyOf(pdf, pdf.length / 2)))
                .isInstanceOf(ExtractionFailedException.class)
                .hasMessage("the PDF is damaged and cannot be read");
    }

    @Test
    void garbage_after_the_magic_number_fails() {
        byte[] garbage = "%PDF-1.7\nthis is not a PDF at all\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> extract(garbage))
                .isInstanceOf(ExtractionFailedException.class)
                .hasMessage("the PDF is damaged and cannot be read");
    }

    @Test
    void more_pages_than_the_limit_fails_naming_it() {
        byte[] pdf = TestPdfs.pages("one", "two", "three", "four", "five");

        assertThatThrownBy(() -> extractor.extract(pdf, DocumentFormat.PDF, new ExtractionLimits(3, 1_000)))
                .isInstanceOf(ExtractionFailedException.class)
                .hasMessage("the PDF has 5 pages; the limit is 3");
        assertThat(extractor.extract(pdf, DocumentFormat.PDF, new ExtractionLimits(5, 1_000)).pages()).isEqualTo(5);
    }

    @Test
    void page_limit_message_groups_thousands() {
        String[] pages = new String[1_001];
        Arrays.fill(pages, "");
        pages[0] = "x";

        assertThatThrownBy(() -> extractor.extract(TestPdfs.pages(pages), DocumentFormat.PDF,
                new ExtractionLimits(1_000, 1_000)))
                .hasMessage("the PDF has 1,001 pages; the limit is 1,000");
    }

    @Test
    void more_text_than_the_limit_fails_naming_it() {
        byte[] pdf = TestPdfs.pages("a".repeat(40), "b".repeat(40), "c".repeat(40));

        assertThatThrownBy(() -> extractor.extract(pdf, DocumentFormat.PDF, new ExtractionLimits(10, 100)))
                .isInstanceOf(ExtractionFailedException.class)
                .hasMessage("the PDF's text is longer than the limit of 100 characters");
        assertThat(extractor.extract(pdf, DocumentFormat.PDF, new ExtractionLimits(10, 124)).text()).hasSize(124);
    }

    @Test
    void compressed_stream_expanding_beyond_the_cap_fails_before_extraction() {
        // A comment of spaces compresses to almost nothing: a small decompression bomb.
        byte[] pdf = TestPdfs.rawContent("BT /F1 12 Tf 72 700 Td (bomb) Tj ET\n%" + " ".repeat(1_200_000) + "\n");

        assertThat(extract(pdf).text()).isEqualTo("bomb");
        assertThatThrownBy(() -> new PdfTextExtractor(1 << 20, 1_000).extract(pdf, ExtractionLimits.DEFAULTS))
                .isInstanceOf(ExtractionFailedException.class)
                .hasMessage("the PDF contains a compressed stream that expands to more than 1 MiB");
    }

    @Test
    void compressed_stream_check_sees_through_encryption() {
        byte[] pdf = TestPdfs.ownerRestricted(
                TestPdfs.rawContent("BT /F1 12 Tf 72 700 Td (bomb) Tj ET\n%" + " ".repeat(1_200_000) + "\n"));

        assertThatThrownBy(() -> new PdfTextExtractor(1 << 20, 1_000).extract(pdf, ExtractionLimits.DEFAULTS))
                .isInstanceOf(ExtractionFailedException.class)
                .hasMessage("the PDF contains a compressed stream that expands to more than 1 MiB");
    }

    @Test
    void page_drawing_more_glyphs_than_the_cap_fails() {
        byte[] pdf = TestPdfs.rawContent("BT /F1 1 Tf 10 10 Td (" + "x".repeat(5_000) + ") Tj ET\n");

        assertThat(new PdfTextExtractor(1 << 20, 5_000).extract(pdf, ExtractionLimits.DEFAULTS).text())
                .hasSize(5_000);
        assertThatThrownBy(() -> new PdfTextExtractor(1 << 20, 4_999).extract(pdf, ExtractionLimits.DEFAULTS))
                .isInstanceOf(ExtractionFailedException.class)
                .hasMessage("page 1 of the PDF draws more than 4,999 characters");
    }
}
