package io.dynrag.pipeline.extraction;

import io.dynrag.domain.document.format.DocumentFormat;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExtractedTextTest {

    // "one" [0,3) "\n\n" page 2 empty at 5, "three" [5,10) "\n\n" "four" [12,16), page 5 empty at 16
    private static final ExtractedText PAGED = new ExtractedText("one\n\nthree\n\nfour", DocumentFormat.PLAIN_TEXT,
            null, 5, List.of(new PageSpan(1, 0, 3), new PageSpan(2, 5, 5), new PageSpan(3, 5, 10),
            new PageSpan(4, 12, 16), new PageSpan(5, 16, 16)));

    @Test
    void offsets_inside_a_page_belong_to_it() {
        assertThat(PAGED.pageAt(0)).isEqualTo(1);
        assertThat(PAGED.pageAt(2)).isEqualTo(1);
        assertThat(PAGED.pageAt(5)).isEqualTo(3);
        assertThat(PAGED.pageAt(9)).isEqualTo(3);
        assertThat(PAGED.pageAt(12)).isEqualTo(4);
        assertThat(PAGED.pageAt(15)).isEqualTo(4);
    }

    @Test
    void offsets_between_pages_belong_to_the_next_page_with_text() {
        assertThat(PAGED.pageAt(3)).isEqualTo(3);
        assertThat(PAGED.pageAt(4)).isEqualTo(3);
        assertThat(PAGED.pageAt(10)).isEqualTo(4);
        assertThat(PAGED.pageAt(11)).isEqualTo(4);
    }

    @Test
    void end_of_text_belongs_to_the_last_page_with_text() {
        assertThat(PAGED.pageAt(16)).isEqualTo(4);
    }

    @Test
    void offsets_outside_the_text_or_without_pages_have_no_page() {
        assertThat(PAGED.pageAt(-1)).isNull();
        assertThat(PAGED.pageAt(17)).isNull();
        ExtractedText unpaged = new ExtractedText("text", DocumentFormat.MARKDOWN, "T", 0, List.of());
        assertThat(unpaged.pageAt(0)).isNull();
    }

    @Test
    void spans_must_match_pages_and_stay_in_order_inside_the_text() {
        assertThatThrownBy(() -> new ExtractedText("abc", DocumentFormat.PLAIN_TEXT, null, 2,
                List.of(new PageSpan(1, 0, 3))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ExtractedText("abcdef", DocumentFormat.PLAIN_TEXT, null, 2,
                List.of(new PageSpan(1, 0, 4), new PageSpan(2, 3, 6))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ExtractedText("abc", DocumentFormat.PLAIN_TEXT, null, 1,
                List.of(new PageSpan(1, 0, 4))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ExtractedText("abc", DocumentFormat.PLAIN_TEXT, null, 1,
                List.of(new PageSpan(2, 0, 3))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void only_markdown_or_plain_text_can_be_chunked() {
        assertThatThrownBy(() -> new ExtractedText("<p>x</p>", DocumentFormat.HTML, null, 0, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ExtractedText("x", DocumentFormat.PDF, null, 0, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
