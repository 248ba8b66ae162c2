package io.dynrag.pipeline.extraction;

import io.dynrag.domain.document.format.DocumentFormat;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Utf8TextExtractorTest {

    private final TextExtractor extractor = new TextExtractor();

    private ExtractedText extract(byte[] bytes, DocumentFormat format) {
        return extractor.extract(bytes, format, ExtractionLimits.DEFAULTS);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] withBom(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        out.writeBytes(utf8(text));
        return out.toByteArray();
    }

    @Test
    void markdown_is_kept_as_written_with_its_first_level_one_heading_as_title() {
        String markdown = "Intro line\n\n## Not the title\n\n# Tides  #\n\nThe moon pulls the ocean.\n";

        ExtractedText extracted = extract(utf8(markdown), DocumentFormat.MARKDOWN);

        assertThat(extracted.text()).isEqualTo(markdown);
        assertThat(extracted.chunkingFormat()).isEqualTo(DocumentFormat.MARKDOWN);
        assertThat(extracted.title()).isEqualTo("Tides");
        assertThat(extracted.pages()).isZero();
        assertThat(extracted.pageSpans()).isEmpty();
    }

    @Test
    void markdown_title_keeps_hashes_that_belong_to_it_and_is_cut_to_a_title_length() {
        assertThat(extract(utf8("# Learning C#\n"), DocumentFormat.MARKDOWN).title()).isEqualTo("Learning C#");
        assertThat(extract(utf8("#   Spaced\t  out   ##  \n"), DocumentFormat.MARKDOWN).title()).isEqualTo("Spaced out");
        assertThat(extract(utf8("# ###\n\ntext"), DocumentFormat.MARKDOWN).title()).isNull();
        assertThat(extract(utf8("# " + "long ".repeat(200) + "\n"), DocumentFormat.MARKDOWN).title()).hasSize(499);
    }

    @Test
    void plain_text_has_no_title_and_is_chunked_as_plain_text() {
        ExtractedText extracted = extract(utf8("# not a heading in plain text\nline\n"), DocumentFormat.PLAIN_TEXT);

        assertThat(extracted.title()).isNull();
        assertThat(extracted.chunkingFormat()).isEqualTo(DocumentFormat.PLAIN_TEXT);
    }

    @Test
    void byte_order_mark_is_dropped() {
        assertThat(extract(withBom("# Title\n\nText"), DocumentFormat.MARKDOWN).text()).isEqualTo("# Title\n\nText");
        assertThat(extract(withBom("plain"), DocumentFormat.PLAIN_TEXT).text()).isEqualTo("plain");
    }

    @Test
    void line_endings_become_line_feeds() {
        assertThat(extract(utf8("one\r\ntwo\rthree\n\r\nfour"), DocumentFormat.PLAIN_TEXT).text())
                .isEqualTo("one\ntwo\nthree\n\nfour");
        assertThat(extract(withBom("# A\r\n\r\nB\r\n"), DocumentFormat.MARKDOWN).text()).isEqualTo("# A\n\nB\n");
    }

    @Test
    void text_that_is_not_utf8_fails() {
        byte[] latin1 = "Caf\u00e9".getBytes(StandardCharsets.ISO_8859_1);

        assertThatThrownBy(() -> extract(latin1, DocumentFormat.PLAIN_TEXT))
                .isInstanceOfSatisfying(ExtractionFailedException.class, e -> {
                    assertThat(e).hasMessage("the document is not valid UTF-8 text");
                    assertThat(e.retryable()).isFalse();
                });
    }

    @Test
    void nul_characters_fail() {
        assertThatThrownBy(() -> extract(utf8("text\u0000more"), DocumentFormat.MARKDOWN))
                .isInstanceOf(ExtractionFailedException.class)
                .hasMessage("the document is not text (it contains NUL characters)");
    }

    @Test
    void blank_text_fails() {
        assertThatThrownBy(() -> extract(withBom(" \r\n\t\n"), DocumentFormat.PLAIN_TEXT))
                .isInstanceOf(ExtractionFailedException.class)
                .hasMessage("the document contains no text");
    }

    @Test
    void text_over_the_character_limit_fails_naming_it() {
        byte[] text = utf8("x".repeat(1_500));

        assertThatThrownBy(() -> extractor.extract(text, DocumentFormat.PLAIN_TEXT, new ExtractionLimits(1, 1_499)))
                .isInstanceOf(ExtractionFailedException.class)
                .hasMessage("the document has 1,500 characters; the limit is 1,499");
        assertThat(extractor.extract(text, DocumentFormat.PLAIN_TEXT, new ExtractionLimits(1, 1_500)).text())
                .hasSize(1_500);
    }
}
