package io.dynrag.domain.document.format;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

import static io.dynrag.domain.document.format.DocumentFormat.HTML;
import static io.dynrag.domain.document.format.DocumentFormat.MARKDOWN;
import static io.dynrag.domain.document.format.DocumentFormat.PDF;
import static io.dynrag.domain.document.format.DocumentFormat.PLAIN_TEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class DocumentFormatsTest {

    private static final String MARKDOWN_TEXT = """
            # Tides

            The moon pulls the ocean.

            - spring tides
            - neap tides
            """;

    private static Optional<DocumentFormat> detect(String text, String filename) {
        return DocumentFormats.detect(text.getBytes(StandardCharsets.UTF_8), filename);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    @Nested
    class Pdf {

        @Test
        void magic_number_makes_a_pdf_whatever_the_name() {
            byte[] pdf = concat("%PDF-1.7\n%".getBytes(StandardCharsets.US_ASCII), bytes(0xE2, 0xE3, 0xCF, 0xD3, '\n'),
                    "1 0 obj\n<<>>\nendobj\n".getBytes(StandardCharsets.US_ASCII));

            assertThat(DocumentFormats.detect(pdf, "report.pdf")).contains(PDF);
            assertThat(DocumentFormats.detect(pdf, "notes.txt")).contains(PDF);
            assertThat(DocumentFormats.detect(pdf, null)).contains(PDF);
        }

        @Test
        void a_pdf_name_does_not_make_text_a_pdf() {
            assertThat(detect("Just some notes about tides.\n", "report.pdf")).contains(PLAIN_TEXT);
        }

        @Test
        void html_named_pdf_is_html() {
            assertThat(detect("<!DOCTYPE html><html><body><p>gotcha</p></body></html>", "evil.pdf")).contains(HTML);
        }

        @Test
        void the_magic_number_counts_only_at_the_start() {
            assertThat(detect("See the header %PDF-1.7 in the spec.\n", "notes.txt")).contains(PLAIN_TEXT);
        }
    }

    @Nested
    class Html {

        @ParameterizedTest
        @ValueSource(strings = {
                "<!DOCTYPE html><html><head><title>T</title></head><body>x</body></html>",
                "<!doctype HTML>\n<p>lower-case doctype",
                "<html lang=\"en\"><body>x</body></html>",
                "<HTML><BODY>upper case</BODY></HTML>",
                "<head><title>no html element</title></head>",
                "<body>only a body</body>",
                "   \n\t<!DOCTYPE html>\n<html></html>",
                "<!-- saved from url=(0014)about:internet -->\n<!-- another -->\n<html><body>x</body></html>",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
                        + "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\"></html>",
                "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>",
        })
        void a_document_declaration_or_root_element_makes_html(String html) {
            assertThat(detect(html, "page.txt")).contains(HTML);
            assertThat(detect(html, null)).contains(HTML);
        }

        @Test
        void byte_order_mark_before_the_markup_is_skipped() {
            byte[] html = concat(bytes(0xEF, 0xBB, 0xBF), "<!DOCTYPE html><html></html>".getBytes(StandardCharsets.UTF_8));

            assertThat(DocumentFormats.detect(html, "page")).contains(HTML);
        }

        @Test
        void html_in_a_legacy_charset_is_html_although_not_utf8() {
            byte[] html = ("<!DOCTYPE html><html><head><meta charset=\"windows-1252\"></head>"
                    + "<body><p>Caf\u00e9 cr\u00e8me</p></body></html>").getBytes(Charset.forName("windows-1252"));

            assertThat(DocumentFormats.detect(html, "cafe.html")).contains(HTML);
            assertThat(DocumentFormats.detect(html, "cafe.txt")).contains(HTML);
        }

        @Test
        void utf16_html_with_byte_order_mark_is_html() {
            byte[] html = "\uFEFF<!DOCTYPE html><html><body>x</body></html>".getBytes(StandardCharsets.UTF_16LE);

            assertThat(DocumentFormats.detect(html, "page.html")).contains(HTML);
            assertThat(DocumentFormats.detect("\uFEFF<html></html>".getBytes(StandardCharsets.UTF_16BE), null))
                    .contains(HTML);
        }

        @Test
        void a_fragment_with_clear_html_structure_is_html() {
            assertThat(detect("<div class=\"post\">\n  <h2>Tides</h2>\n  <p>The moon pulls.</p>\n</div>\n", "post"))
                    .contains(HTML);
        }

        @Test
        void a_single_tag_in_text_does_not_make_html() {
            assertThat(detect("<b>Note</b> tides come twice a day.\n", "note")).contains(PLAIN_TEXT);
            assertThat(detect("Use a <div> to group things.\n", "tip.txt")).contains(PLAIN_TEXT);
        }

        @Test
        void an_html_name_turns_markup_without_declaration_into_html() {
            assertThat(detect("<p>Hello</p>", "hello.html")).contains(HTML);
            assertThat(detect("<p>Hello</p>", "HELLO.HTM")).contains(HTML);
            assertThat(detect("<p>Hello</p>", "hello.txt")).contains(PLAIN_TEXT);
        }

        @Test
        void an_html_name_without_any_markup_is_text() {
            assertThat(detect("No markup at all.\n", "page.html")).contains(PLAIN_TEXT);
        }

        @Test
        void html_named_markdown_is_html() {
            assertThat(detect("<!DOCTYPE html><html><body><h1>x</h1></body></html>", "README.md")).contains(HTML);
        }
    }

    @Nested
    class Markdown {

        @ParameterizedTest
        @ValueSource(strings = {"notes.md", "notes.MD", "notes.markdown", "dir/sub/notes.md", "C:\\docs\\notes.md"})
        void markdown_name_makes_utf8_text_markdown(String filename) {
            assertThat(detect("Plain sentences without any markup.\n", filename)).contains(MARKDOWN);
        }

        @Test
        void clear_markdown_structure_makes_markdown_without_the_name() {
            assertThat(detect(MARKDOWN_TEXT, "notes.txt")).contains(MARKDOWN);
            assertThat(detect(MARKDOWN_TEXT, null)).contains(MARKDOWN);
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "# Setup\n\nRun `make` first.\n",
                "## Links\n\nSee [the docs](https://example.com/docs).\n",
                "# Quote\n\n> To be or not to be.\n",
                "# Code\n\n```java\nclass A {}\n```\n",
                "# Table\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
                "# Bold\n\nThis is **important**.\n",
                "# Steps\n\n1. first\n2. second\n",
        })
        void a_heading_and_another_marker_is_markdown(String text) {
            assertThat(detect(text, "file")).contains(MARKDOWN);
        }

        @Test
        void hostile_head_is_decided_quickly() {
            String brackets = "# Title\n" + "[".repeat(DocumentFormats.HEAD_BYTES - 8);

            assertTimeoutPreemptively(Duration.ofSeconds(3),
                    () -> assertThat(detect(brackets, "x")).contains(PLAIN_TEXT));
        }

        @Test
        void a_heading_alone_or_markers_without_heading_are_plain_text() {
            assertThat(detect("# just a comment line\nkey=value\n", "settings")).contains(PLAIN_TEXT);
            assertThat(detect("Shopping:\n- milk\n- bread\n", "list.txt")).contains(PLAIN_TEXT);
            assertThat(detect("#!/bin/sh\necho hi\n", "run")).contains(PLAIN_TEXT);
        }

        @Test
        void markdown_with_leading_html_block_keeps_its_markdown_name() {
            String readme = "<p align=\"center\"><img src=\"logo.png\"></p>\n<div>badges</div>\n\n# Project\n\n- fast\n";

            assertThat(detect(readme, "README.md")).contains(MARKDOWN);
        }

        @Test
        void markdown_with_byte_order_mark_is_markdown() {
            byte[] text = concat(bytes(0xEF, 0xBB, 0xBF), MARKDOWN_TEXT.getBytes(StandardCharsets.UTF_8));

            assertThat(DocumentFormats.detect(text, "notes")).contains(MARKDOWN);
        }
    }

    @Nested
    class PlainText {

        @Test
        void utf8_text_is_plain_text() {
            assertThat(detect("Gr\u00fc\u00dfe aus K\u00f6ln \u2014 \u65e5\u672c\u8a9e \uD83C\uDF0A\r\nline two\n", "x.txt"))
                    .contains(PLAIN_TEXT);
        }

        @Test
        void tabs_form_feeds_and_escape_sequences_are_text() {
            assertThat(detect("col\tcol\fpage\u001b[1mbold\u001b[0m\r\n", "log")).contains(PLAIN_TEXT);
        }

        @Test
        void a_character_cut_at_the_end_of_the_head_is_not_invalid() {
            byte[] full = ("abc " + "\u20ac".repeat(10) + "\uD83C\uDF0A").getBytes(StandardCharsets.UTF_8);
            // Cut inside the 4-byte emoji, then inside a 3-byte euro sign, at every possible byte.
            for (int cut = full.length - 3; cut < full.length; cut++) {
                assertThat(DocumentFormats.detect(Arrays.copyOf(full, cut), "x.txt")).as("cut at %d", cut)
                        .contains(PLAIN_TEXT);
            }
            byte[] euros = "\u20ac\u20ac".getBytes(StandardCharsets.UTF_8);
            assertThat(DocumentFormats.detect(Arrays.copyOf(euros, 4), "x.txt")).contains(PLAIN_TEXT);
            assertThat(DocumentFormats.detect(Arrays.copyOf(euros, 5), "x.md")).contains(MARKDOWN);
        }

        @Test
        void a_cut_character_must_still_be_a_valid_prefix() {
            // E2 followed by a non-continuation byte is broken even at the very end.
            assertThat(DocumentFormats.detect(concat("ab".getBytes(StandardCharsets.US_ASCII), bytes(0xE2, 0x41)),
                    "x.txt")).isEmpty();
            // E0 needs A0..BF next: E0 80 is the start of an overlong form.
            assertThat(DocumentFormats.detect(concat("ab".getBytes(StandardCharsets.US_ASCII), bytes(0xE0, 0x80)),
                    "x.txt")).isEmpty();
        }
    }

    @Nested
    class Refused {

        @Test
        void empty_input_is_nothing() {
            assertThat(DocumentFormats.detect(new byte[0], "x.txt")).isEmpty();
        }

        @Test
        void zip_and_office_documents() {
            byte[] zip = concat(bytes(0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00),
                    "[Content_Types].xml".getBytes(StandardCharsets.US_ASCII));
            byte[] ole2 = bytes(0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0);

            assertThat(DocumentFormats.detect(zip, "report.docx")).isEmpty();
            assertThat(DocumentFormats.detect(zip, "report.md")).isEmpty();
            assertThat(DocumentFormats.detect(ole2, "report.doc")).isEmpty();
        }

        @Test
        void images() {
            byte[] png = bytes(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 'I', 'H', 'D', 'R');
            byte[] jpeg = bytes(0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0);
            byte[] gif = bytes('G', 'I', 'F', '8', '9', 'a', 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00);

            assertThat(DocumentFormats.detect(png, "a.png")).isEmpty();
            assertThat(DocumentFormats.detect(jpeg, "a.txt")).isEmpty();
            assertThat(DocumentFormats.detect(gif, "a.md")).isEmpty();
        }

        @Test
        void executables() {
            byte[] elf = bytes(0x7F, 'E', 'L', 'F', 0x02, 0x01, 0x01, 0x00);
            byte[] exe = bytes('M', 'Z', 0x90, 0x00, 0x03, 0x00);

            assertThat(DocumentFormats.detect(elf, "tool")).isEmpty();
            assertThat(DocumentFormats.detect(exe, "setup.txt")).isEmpty();
        }

        @Test
        void text_that_is_not_utf8() {
            byte[] latin1 = "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e\n".getBytes(StandardCharsets.ISO_8859_1);

            assertThat(DocumentFormats.detect(latin1, "menu.txt")).isEmpty();
            assertThat(DocumentFormats.detect(latin1, "menu.md")).isEmpty();
            assertThat(DocumentFormats.detect("plain text".getBytes(StandardCharsets.UTF_16LE), "x.txt")).isEmpty();
            assertThat(DocumentFormats.detect("\uFEFFplain text".getBytes(StandardCharsets.UTF_16BE), "x.txt"))
                    .isEmpty();
        }

        @Test
        void encoded_surrogates_and_code_points_beyond_unicode() {
            assertThat(DocumentFormats.detect(concat("a".getBytes(StandardCharsets.US_ASCII),
                    bytes(0xED, 0xA0, 0x80), "b".getBytes(StandardCharsets.US_ASCII)), "x.txt")).isEmpty();
            assertThat(DocumentFormats.detect(concat("a".getBytes(StandardCharsets.US_ASCII),
                    bytes(0xF4, 0x90, 0x80, 0x80), "b".getBytes(StandardCharsets.US_ASCII)), "x.txt")).isEmpty();
            assertThat(DocumentFormats.detect(concat("a".getBytes(StandardCharsets.US_ASCII),
                    bytes(0xC0, 0xAF)), "x.txt")).isEmpty();
        }

        @Test
        void nul_bytes_in_otherwise_ascii_text() {
            assertThat(detect("looks like text\u0000but is not\n", "x.txt")).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel></channel></rss>",
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\"><rect/></svg>",
                "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"x\"><plist></plist>",
                "{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Hello}",
        })
        void xml_svg_and_rtf_are_other_formats(String text) {
            assertThat(detect(text, "file.txt")).isEmpty();
            assertThat(detect(text, "file.html")).isEmpty();
        }
    }
}
