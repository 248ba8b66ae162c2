package io.dynrag.pipeline.extraction;

import io.dynrag.domain.document.format.DocumentFormat;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HtmlTextExtractorTest {

    private final TextExtractor extractor = new TextExtractor();

    private ExtractedText extract(String html) {
        return extract(html.getBytes(StandardCharsets.UTF_8));
    }

    private ExtractedText extract(byte[] html) {
        return extractor.extract(html, DocumentFormat.HTML, ExtractionLimits.DEFAULTS);
    }

    private static final String ARTICLE_PAGE = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <title>Tides explained | Ocean Facts</title>
              <style>body { font-family: serif; } .secret-style { color: red; }</style>
              <script>var trackingId = "leaked-from-head";</script>
              <script type="application/ld+json">{"@type": "Article", "headline": "json-ld-leak"}</script>
            </head>
            <body>
              <div id="cookie-consent" class="cookie-banner">We use cookies. <button>Accept all</button></div>
              <header class="site-header">
                <a href="/">Ocean Facts</a>
                <nav><ul><li><a href="/a">Home</a></li><li><a href="/b">Archive</a></li></ul></nav>
              </header>
              <div class="breadcrumbs"><a href="/">Home</a> &gt; Science</div>
              <main>
                <article>
                  <header><h1>Tides   explained</h1><p class="byline">By Ada</p></header>
                  <p>The moon pulls the ocean,
                     raising <em>tides</em> twice a day.</p>
                  <script>document.write("leaked-from-body")</script>
                  <noscript>Enable JavaScript to see leaked-noscript</noscript>
                  <h2>Spring&nbsp;and neap tides</h2>
                  <ul>
                    <li>Spring tides: sun and moon in line</li>
                    <li>Neap tides: at right angles
                      <ul><li>smaller range</li></ul>
                    </li>
                  </ul>
                  <div style="display: none">hidden-by-style</div>
                  <p hidden>hidden-by-attribute</p>
                  <span class="sr-only">screen-reader-only</span>
                  <h3>Steps</h3>
                  <ol><li>Look at the moon</li><li>Check the table</li></ol>
                  <pre><code>high  = 2.4 m
            low   = 0.3 m</code></pre>
                  <div class="share-buttons"><a href="#">Share on social</a></div>
                  <table>
                    <tr><th>Port</th><th>High</th></tr>
                    <tr><td>Brest</td><td>7.2 m</td></tr>
                  </table>
                  <p>First line<br>Second line</p>
                  <form action="/subscribe"><label>Your email</label><input name="email"></form>
                </article>
                <aside class="related">Related: moon phases</aside>
              </main>
              <footer>&copy; 2026 Ocean Facts. <a href="/privacy">Privacy</a></footer>
              <template><p>template-leak</p></template>
              <iframe src="https://ads.example.com/frame"></iframe>
              <svg><text>svg-leak</text></svg>
            </body>
            </html>
            """;

    @Test
    void main_content_becomes_markdown_without_furniture() {
        ExtractedText extracted = extract(ARTICLE_PAGE);

        assertThat(extracted.text()).isEqualTo("""
                # Tides explained

                By Ada

                The moon pulls the ocean, raising tides twice a day.

                ## Spring and neap tides

                - Spring tides: sun and moon in line
                - Neap tides: at right angles
                  - smaller range

                ### Steps

                1. Look at the moon
                2. Check the table

                ```
                high  = 2.4 m
                low   = 0.3 m
                ```

                | Port | High |
                | Brest | 7.2 m |

                First line
                Second line""");
        assertThat(extracted.chunkingFormat()).isEqualTo(DocumentFormat.MARKDOWN);
        assertThat(extracted.title()).isEqualTo("Tides explained | Ocean Facts");
        assertThat(extracted.pages()).isZero();
        assertThat(extracted.pageSpans()).isEmpty();
        assertThat(extracted.pageAt(0)).isNull();
    }

    @Test
    void scripts_styles_and_hidden_text_never_leak() {
        String text = extract(ARTICLE_PAGE).text();

        assertThat(text).doesNotContain("leaked", "json-ld", "trackingId", "secret-style", "font-family", "hidden-by",
                "screen-reader", "template-leak", "svg-leak", "cookies", "Accept", "Archive", "Share", "Privacy",
                "Related", "Your email", "Science");
    }

    @Test
    void without_main_the_only_article_is_the_content() {
        String html = """
                <html><body>
                <div class="menu-bar"><a href="/">Start</a> <a href="/x">Products</a></div>
                <article><h1>Release notes</h1><p>Version 2 is out.</p></article>
                <div class="footer-links">Imprint</div>
                </body></html>
                """;

        assertThat(extract(html).text()).isEqualTo("# Release notes\n\nVersion 2 is out.");
    }

    @Test
    void without_main_or_single_article_the_body_is_the_content() {
        String html = """
                <html><body>
                <nav>Start | Blog</nav>
                <article><h2>First post</h2><p>Hello.</p></article>
                <article><h2>Second post</h2><p>Again.</p></article>
                <footer>Contact</footer>
                </body></html>
                """;

        assertThat(extract(html).text()).isEqualTo("## First post\n\nHello.\n\n## Second post\n\nAgain.");
    }

    @Test
    void role_main_marks_the_content() {
        String html = "<body><div>Top links</div><div role=\"main\"><p>Real content.</p></div><div>Bottom</div></body>";

        assertThat(extract(html).text()).isEqualTo("Real content.");
    }

    @Test
    void content_order_is_kept() {
        StringBuilder html = new StringBuilder("<main>");
        for (int i = 1; i <= 20; i++) {
            html.append("<p>Paragraph ").append(i).append("</p>");
        }
        html.append("</main>");

        String text = extract(html.toString()).text();

        for (int i = 1; i < 20; i++) {
            assertThat(text.indexOf("Paragraph " + i + "\n")).isLessThan(text.indexOf("Paragraph " + (i + 1)));
        }
    }

    @Test
    void title_falls_back_to_the_first_h1_and_else_is_null() {
        assertThat(extract("<html><head><title>  </title></head><body><h1>Heading  One</h1><p>x</p></body></html>")
                .title()).isEqualTo("Heading One");
        assertThat(extract("<p>No title anywhere</p>").title()).isNull();
    }

    @Test
    void charset_declared_in_meta_decodes_the_page() {
        String page = "<html><head><meta charset=\"windows-1252\"><title>Caf\u00e9</title></head>"
                + "<body><p>Cr\u00e8me br\u00fbl\u00e9e \u2013 \u20ac 5</p></body></html>";

        ExtractedText extracted = extract(page.getBytes(Charset.forName("windows-1252")));

        assertThat(extracted.text()).isEqualTo("Cr\u00e8me br\u00fbl\u00e9e \u2013 \u20ac 5");
        assertThat(extracted.title()).isEqualTo("Caf\u00e9");
    }

    @Test
    void charset_declared_with_http_equiv_decodes_the_page() {
        String page = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">"
                + "</head><body><p>Gr\u00fc\u00dfe aus K\u00f6ln</p></body></html>";

        assertThat(extract(page.getBytes(StandardCharsets.ISO_8859_1)).text()).isEqualTo("Gr\u00fc\u00dfe aus K\u00f6ln");
    }

    @Test
    void shift_jis_page_decodes() {
        String page = "<html><head><meta charset=\"Shift_JIS\"></head><body><p>\u6f6e\u306e\u6e80\u3061\u5f15\u304d</p></body></html>";

        assertThat(extract(page.getBytes(Charset.forName("Shift_JIS"))).text()).isEqualTo("\u6f6e\u306e\u6e80\u3061\u5f15\u304d");
    }

    @Test
    void byte_order_mark_decides_over_missing_declaration() {
        ByteArrayOutputStream utf8 = new ByteArrayOutputStream();
        utf8.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        utf8.writeBytes("<p>na\u00efve caf\u00e9</p>".getBytes(StandardCharsets.UTF_8));
        byte[] utf16 = "\uFEFF<p>na\u00efve caf\u00e9</p>".getBytes(StandardCharsets.UTF_16LE);

        assertThat(extract(utf8.toByteArray()).text()).isEqualTo("na\u00efve caf\u00e9");
        assertThat(extract(utf16).text()).isEqualTo("na\u00efve caf\u00e9");
    }

    @Test
    void undeclared_charset_is_read_as_utf8() {
        assertThat(extract("<p>\u65e5\u672c\u8a9e and \uD83C\uDF0A</p>").text()).isEqualTo("\u65e5\u672c\u8a9e and \uD83C\uDF0A");
    }

    @Test
    void page_wrapped_in_a_form_keeps_its_content() {
        String html = "<body><form id=\"aspnetForm\" action=\"/\"><h1>Annual report</h1>"
                + "<p>Revenue grew by a lot this year, and costs fell.</p><input type=\"submit\"></form></body>";

        assertThat(extract(html).text()).isEqualTo("# Annual report\n\nRevenue grew by a lot this year, and costs fell.");
    }

    @Test
    void wrapper_with_a_furniture_word_in_its_class_keeps_the_content() {
        String html = "<body><div class=\"layout-with-sidebar\"><p>The whole article lives in here and is long.</p>"
                + "<div class=\"sidebar\">Popular</div></div></body>";

        assertThat(extract(html).text()).isEqualTo("The whole article lives in here and is long.");
    }

    @Test
    void paragraph_text_that_looks_like_markdown_structure_is_escaped() {
        String html = "<p># of items sold</p><p>``` not a fence</p><h2>Real heading</h2>";

        assertThat(extract(html).text()).isEqualTo("\\# of items sold\n\n\\``` not a fence\n\n## Real heading");
    }

    @Test
    void preformatted_text_containing_fences_gets_a_longer_fence() {
        String html = "<pre>```java\nint x;\n```</pre>";

        assertThat(extract(html).text()).isEqualTo("````\n```java\nint x;\n```\n````");
    }

    @Test
    void layout_tables_are_read_as_blocks() {
        String html = "<table><tr><td><h1>Old site</h1><p>Body text in a layout cell.</p></td>"
                + "<td><p>Second column.</p></td></tr></table>";

        assertThat(extract(html).text()).isEqualTo("# Old site\n\nBody text in a layout cell.\n\nSecond column.");
    }

    @Test
    void deeply_nested_markup_does_not_overflow_the_stack() {
        String html = "<div>".repeat(5_000) + "deep text" + "</div>".repeat(5_000);

        assertThat(extract(html).text()).isEqualTo("deep text");
    }

    @Test
    void page_without_text_fails() {
        assertThatThrownBy(() -> extract("<html><head><script>x()</script></head><body><nav>Menu</nav></body></html>"))
                .isInstanceOf(ExtractionFailedException.class)
                .hasMessage("the page has no text");
    }

    @Test
    void page_over_the_character_limit_fails_naming_it() {
        String html = "<p>" + "word ".repeat(100) + "</p>";

        assertThatThrownBy(() -> extractor.extract(html.getBytes(StandardCharsets.UTF_8), DocumentFormat.HTML,
                new ExtractionLimits(10, 200)))
                .isInstanceOf(ExtractionFailedException.class)
                .hasMessage("the page's text is longer than the limit of 200 characters");
    }
}
