package io.dynrag.pipeline.extraction;

import io.dynrag.domain.document.format.DocumentFormat;
import io.dynrag.domain.document.format.DocumentFormats;
import io.dynrag.pipeline.testing.LinearTime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Extraction, text cleanup, titles and format detection read whatever a tenant uploads, so no
 * shape of input may make them slower than linear. Each shape is processed at 10,000 and 100,000
 * characters; a failed extraction (no text, say) counts like a successful one, since a refusal
 * must be quick too.
 */
@Tag("fault")
class ExtractionLinearTimeTest {

    private static final TextExtractor EXTRACTOR = new TextExtractor();

    static Stream<Arguments> shapes() {
        return Stream.of(
                html("heading with a run of #", n -> "<h1>a" + "#".repeat(n) + "b</h1>"),
                html("heading with a run of spaces", n -> "<h1>a" + " ".repeat(n) + "b</h1>"),
                html("paragraph starting like a heading", n -> "<p># a" + " ".repeat(n) + "b</p>"),
                html("nested divs", n -> "<div>".repeat(n / 5) + "x"),
                html("nested paragraphs", n -> "<p>".repeat(n / 3) + "x"),
                html("nested lists", n -> "<ul><li>a".repeat(n / 9)),
                html("nested ordered lists", n -> "<ol><li>".repeat(n / 8) + "x"),
                html("long flat list", n -> "<ul>" + "<li>a</li>".repeat(n / 10) + "</ul>"),
                html("nested tables", n -> "<table><tr><td>a".repeat(n / 16)),
                html("nested layout tables", n -> "<table><tr><td><p>a</p>".repeat(n / 23)),
                html("long table", n -> "<table>" + "<tr><td>a</td></tr>".repeat(n / 19) + "</table>"),
                html("nested articles", n -> "<article>".repeat(n / 9) + "x"),
                html("nested headers", n -> "<header>".repeat(n / 8) + "x"),
                html("nested furniture", n -> "<div class=\"ad\">".repeat(n / 16) + "x".repeat(n / 2)),
                html("nested hidden blocks", n -> "<div class=\"sr-only\">".repeat(n / 21) + "x"),
                html("nested forms", n -> "<form>".repeat(n / 6) + "x"),
                html("nested inline markup", n -> "<b><i>".repeat(n / 6) + "x"),
                html("misnested formatting", n -> "<b><p>".repeat(n / 6) + "x"),
                html("nested links", n -> "<a>".repeat(n / 3) + "x"),
                html("preformatted blank lines", n -> "<pre>" + "\n".repeat(n) + "x</pre>"),
                html("preformatted backticks", n -> "<pre>" + "`".repeat(n) + "</pre>"),
                html("line breaks", n -> "<p>" + "<br>".repeat(n / 4) + "x</p>"),
                html("unclosed tags", n -> "<div".repeat(n / 4)),
                html("long tag name", n -> "<" + "a".repeat(n)),
                html("long end tag name", n -> "</" + "a<".repeat(n / 2)),
                html("long attribute name", n -> "<div " + "a<".repeat(n / 2)),
                html("many attributes", n -> "<div" + " a".repeat(n / 2)),
                html("run of <", n -> "<".repeat(n)),
                html("unclosed comments", n -> "<!--".repeat(n / 4)),
                html("unclosed attribute", n -> "<a href='" + "x".repeat(n)),
                html("style of semicolons", n -> "<p style=\"" + " ;".repeat(n / 2) + "\">x</p>"),
                html("style of whitespace", n -> "<p style=\"display" + " ".repeat(n) + "x\">x</p>"),
                html("long class names", n -> "<p class=\"" + "a-".repeat(n / 2) + "\">x</p>"),
                html("title of spaces", n -> "<title>a" + " ".repeat(n) + "b</title><p>x</p>"),
                text(DocumentFormat.MARKDOWN, "title with a run of spaces", n -> "# a" + " ".repeat(n) + "b"),
                text(DocumentFormat.MARKDOWN, "title with a run of #", n -> "# a" + "#".repeat(n) + " #"),
                text(DocumentFormat.MARKDOWN, "title of spaces and #", n -> "# " + " #".repeat(n / 2) + "x"),
                text(DocumentFormat.MARKDOWN, "carriage returns", n -> "a\r".repeat(n / 2)),
                text(DocumentFormat.PLAIN_TEXT, "run of spaces", n -> "a" + " ".repeat(n) + "b"),
                cleanup("layout text of spaces", n -> "a" + " ".repeat(n) + "\nb", TextCleanup::tidyLayoutText),
                cleanup("layout text of blank lines", n -> "a" + "\n \r".repeat(n / 3) + "b", TextCleanup::tidyLayoutText),
                cleanup("layout text of control characters", n -> "\u0001".repeat(n), TextCleanup::tidyLayoutText),
                cleanup("title of whitespace and controls", n -> "a" + " \u0001\u00A0".repeat(n / 3) + "b", TextCleanup::title),
                detect("heading-like lines", n -> "# a" + " ".repeat(n) + "b\n- " + " ".repeat(n)),
                detect("unclosed links", n -> "# a\n" + "[a](".repeat(n / 4)),
                detect("nested brackets", n -> "# a\n" + "[".repeat(n / 2) + "]".repeat(n / 2)),
                detect("unclosed emphasis", n -> "# a\n" + "**a".repeat(n / 3)),
                detect("unclosed code spans", n -> "# a\n" + "`a".repeat(n / 2)),
                detect("table rules", n -> "# a\n|" + "-".repeat(n) + "x"),
                detect("unclosed tags", n -> "<div" + " <div".repeat(n / 5)),
                detect("tag names", n -> "<" + "a".repeat(n)),
                detect("unclosed comment", n -> "<!--" + "-".repeat(n)));
    }

    private static Arguments html(String name, IntFunction<String> page) {
        return text(DocumentFormat.HTML, name, page);
    }

    private static Arguments text(DocumentFormat format, String name, IntFunction<String> content) {
        return Arguments.of(format + " extraction: " + name, content, (Consumer<String>) input -> {
            try {
                EXTRACTOR.extract(input.getBytes(StandardCharsets.UTF_8), format, ExtractionLimits.DEFAULTS);
            } catch (ExtractionFailedException refused) {
                // a refusal is an answer too
            }
        });
    }

    private static Arguments cleanup(String name, IntFunction<String> content, Consumer<String> operation) {
        return Arguments.of("text cleanup: " + name, content, operation);
    }

    private static Arguments detect(String name, IntFunction<String> content) {
        return Arguments.of("format detection: " + name, content, (Consumer<String>) input ->
                DocumentFormats.detect(input.getBytes(StandardCharsets.UTF_8), "upload"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void takesLinearTime(String name, IntFunction<String> input, Consumer<String> operation) {
        double ratio = LinearTime.ratio(input, operation);

        System.out.printf("linear time: %-70s %5.1f%n", name, ratio);
        assertThat(ratio).as("time for %,d characters / time for %,d (%s)", LinearTime.LARGE, LinearTime.SMALL, name)
                .isLessThan(LinearTime.MAX_RATIO);
    }
}
