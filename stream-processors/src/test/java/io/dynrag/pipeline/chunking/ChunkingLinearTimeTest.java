package io.dynrag.pipeline.chunking;

import io.dynrag.domain.document.format.DocumentFormat;
import io.dynrag.pipeline.embedding.MiniLmEmbeddingModel;
import io.dynrag.pipeline.testing.LinearTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.IntFunction;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chunker reads whatever a tenant uploads, so no shape of text may make it slower than
 * linear: one document that takes hours would hold up every tenant's documents behind it. Each
 * shape is chunked as the pipeline chunks it (structure, overlap, heading paths) at 10,000 and
 * 100,000 characters.
 */
@Tag("fault")
class ChunkingLinearTimeTest {

    private static MiniLmEmbeddingModel model;

    @BeforeAll
    static void loadTokenizer() {
        model = new MiniLmEmbeddingModel(1);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                markdown("heading with a run of spaces", n -> "# a" + " ".repeat(n) + "b"),
                markdown("heading with a run of #", n -> "# a" + "#".repeat(n) + "b"),
                markdown("heading of spaces and #", n -> "# " + " #".repeat(n / 2) + "x"),
                markdown("only #", n -> "#".repeat(n)),
                markdown("many headings", n -> "# a\n".repeat(n / 4)),
                markdown("deepening headings", n -> "# a\n## b\n### c\n#### d\n##### e\n###### f\n".repeat(n / 40)),
                markdown("a long heading over many paragraphs",
                        n -> "# " + "a".repeat(n / 2) + "\n\n" + "Some words here.\n\n".repeat(n / 36)),
                markdown("headings between paragraphs", n -> "# h\n\nsome words here.\n\n".repeat(n / 22)),
                markdown("run of spaces in a paragraph", n -> "a" + " ".repeat(n) + "b"),
                markdown("nested brackets", n -> "[".repeat(n / 2) + "]".repeat(n / 2)),
                markdown("unclosed links", n -> "[a](".repeat(n / 4)),
                markdown("run of *", n -> "*".repeat(n)),
                markdown("unclosed strong emphasis", n -> "**a".repeat(n / 3)),
                markdown("alternating * and _", n -> "*_".repeat(n / 2)),
                markdown("run of backticks", n -> "`".repeat(n)),
                markdown("many fences", n -> "```\n".repeat(n / 4)),
                markdown("unclosed fence", n -> "```\n" + "# not a heading\n".repeat(n / 16)),
                markdown("setext underline of =", n -> "a\n" + "=".repeat(n) + "x"),
                markdown("table rule", n -> "|" + "-".repeat(n) + "x"),
                markdown("list markers", n -> "- ".repeat(n / 2)),
                markdown("unclosed tags", n -> "<div>".repeat(n / 5)),
                markdown("run of dots", n -> "a" + ".".repeat(n) + "x"),
                markdown("dots and closers", n -> ".)".repeat(n / 2) + "x"),
                markdown("clauses without spaces", n -> "a,".repeat(n / 2)),
                markdown("full-width stops", n -> "。".repeat(n)),
                markdown("one long word", n -> "a".repeat(n)),
                markdown("one long word of pairs", n -> "ab".repeat(n / 2)),
                markdown("combining marks", n -> "\u0301".repeat(n)),
                markdown("emoji", n -> "🙂".repeat(n / 2)),
                markdown("blank lines", n -> "\n".repeat(n)),
                markdown("short lines", n -> "a\n".repeat(n / 2)),
                markdown("carriage returns", n -> "a\r".repeat(n / 2)),
                markdown("short paragraphs", n -> "word.\n\n".repeat(n / 7)),
                plain("run of spaces", n -> "a" + " ".repeat(n) + "b"),
                plain("run of dots", n -> "a" + ".".repeat(n) + "x"),
                plain("one long word", n -> "x".repeat(n)),
                plain("short sentences", n -> "Go. ".repeat(n / 4)),
                plain("heading-like lines", n -> "# a" + " ".repeat(n) + "b"));
    }

    private static Arguments markdown(String name, IntFunction<String> text) {
        return Arguments.of("Markdown: " + name, DocumentFormat.MARKDOWN, text);
    }

    private static Arguments plain(String name, IntFunction<String> text) {
        return Arguments.of("plain text: " + name, DocumentFormat.PLAIN_TEXT, text);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void chunkingTakesLinearTime(String name, DocumentFormat format, IntFunction<String> text) {
        double ratio = LinearTime.ratio(text, input -> DocumentChunks.of(input, format, 200, 16, model));

        System.out.printf("linear time: %-70s %5.1f%n", name, ratio);
        assertThat(ratio).as("time for %,d characters / time for %,d (%s)", LinearTime.LARGE, LinearTime.SMALL, name)
                .isLessThan(LinearTime.MAX_RATIO);
    }
}
