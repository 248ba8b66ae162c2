package io.dynrag.domain.document.format;

import org.junit.jupiter.api.Test;

import static io.dynrag.domain.document.format.DocumentFormat.HTML;
import static io.dynrag.domain.document.format.DocumentFormat.MARKDOWN;
import static io.dynrag.domain.document.format.DocumentFormat.PDF;
import static io.dynrag.domain.document.format.DocumentFormat.PLAIN_TEXT;
import static org.assertj.core.api.Assertions.assertThat;

class DocumentFormatTest {

    @Test
    void media_types_map_to_formats() {
        assertThat(DocumentFormat.fromMediaType("application/pdf")).contains(PDF);
        assertThat(DocumentFormat.fromMediaType("Text/HTML; charset=ISO-8859-1")).contains(HTML);
        assertThat(DocumentFormat.fromMediaType("application/xhtml+xml")).contains(HTML);
        assertThat(DocumentFormat.fromMediaType("text/markdown;charset=utf-8")).contains(MARKDOWN);
        assertThat(DocumentFormat.fromMediaType("text/x-markdown")).contains(MARKDOWN);
        assertThat(DocumentFormat.fromMediaType(" text/plain ")).contains(PLAIN_TEXT);
        assertThat(DocumentFormat.fromMediaType("application/zip")).isEmpty();
        assertThat(DocumentFormat.fromMediaType(null)).isEmpty();
        for (DocumentFormat format : DocumentFormat.values()) {
            assertThat(DocumentFormat.fromMediaType(format.mediaType())).contains(format);
        }
    }
}
