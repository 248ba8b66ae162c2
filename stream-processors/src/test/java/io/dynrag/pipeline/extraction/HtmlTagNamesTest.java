package io.dynrag.pipeline.extraction;

import io.dynrag.domain.document.format.DocumentFormat;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class HtmlTagNamesTest {

    @Test
    void realPagesPassUntouched() {
        byte[] page = "<!DOCTYPE html><html><body><my-custom-element a='<b>'>x</my-custom-element></body></html>"
                .getBytes(StandardCharsets.UTF_8);

        assertThat(HtmlTagNames.shortened(page)).isSameAs(page);
    }

    @Test
    void aTagNameOverTheLimitIsEndedByASpace() {
        String name = "a".repeat(HtmlTagNames.MAX_TAG_NAME);

        assertThat(HtmlTagNames.shortened("<" + name + "bc>x")).isEqualTo("<" + name + " bc>x");
        assertThat(HtmlTagNames.shortened("</" + name + name + "c")).isEqualTo("</" + name + " " + name + " c");
        assertThat(HtmlTagNames.shortened("< " + name + "b")).as("not a tag").isEqualTo("< " + name + "b");
    }

    @Test
    void utf16PagesKeepTheirEncoding() {
        String name = "é<".repeat(HtmlTagNames.MAX_TAG_NAME / 2);
        byte[] bom = {(byte) 0xFF, (byte) 0xFE};
        byte[] text = ("<p" + name + ">").getBytes(StandardCharsets.UTF_16LE);
        byte[] page = new byte[bom.length + text.length];
        System.arraycopy(bom, 0, page, 0, 2);
        System.arraycopy(text, 0, page, 2, text.length);

        byte[] shortened = HtmlTagNames.shortened(page);

        assertThat(new String(shortened, 2, shortened.length - 2, StandardCharsets.UTF_16LE))
                .isEqualTo("<p" + name.substring(0, HtmlTagNames.MAX_TAG_NAME - 1) + " "
                        + name.substring(HtmlTagNames.MAX_TAG_NAME - 1) + ">");
        assertThat(shortened[0]).isEqualTo(bom[0]);
    }

    @Test
    void aPageOfOneEndlessTagNameStillExtracts() {
        String page = "<p>Readable text.</p><div" + "<div".repeat(100_000);

        ExtractedText text = new TextExtractor().extract(page.getBytes(StandardCharsets.UTF_8), DocumentFormat.HTML,
                ExtractionLimits.DEFAULTS);

        assertThat(text.text()).startsWith("Readable text.");
    }
}
