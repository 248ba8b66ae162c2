package io.dynrag.pipeline.chunking;

import io.dynrag.pipeline.embedding.TokenCounter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HeadingContextTest {

    /** One token per whitespace-separated word: enough to test budgets without a model. */
    private static final TokenCounter WORDS = text -> text.isBlank() ? 0 : text.strip().split("\\s+").length;

    private static final String GUIDE = """
            # Guide

            Intro text.

            ## Install

            ### Linux

            Run the installer.

            More Linux details.

            ```
            # not a heading, a shell comment
            ```

            After the code.

            ## Use

            Start it.
            """;

    private static Chunk chunkAt(String text, String content, int index) {
        int start = GUIDE.indexOf(content);
        return new Chunk(index, content, WORDS.count(content), StructuralChunker.sha256Hex(content), start,
                start + content.length());
    }

    @Test
    void aChunkCarriesThePathOfTheHeadingsAboveIt() {
        List<Chunk> chunks = List.of(
                chunkAt(GUIDE, "# Guide\n\nIntro text.", 0),
                chunkAt(GUIDE, "More Linux details.", 1),
                chunkAt(GUIDE, "After the code.", 2),
                chunkAt(GUIDE, "## Use\n\nStart it.", 3));

        List<Chunk> result = HeadingContext.apply(chunks, GUIDE, WORDS, 100);

        assertThat(result.get(0).text()).as("the first heading has nothing above it").isEqualTo("# Guide\n\nIntro text.");
        assertThat(result.get(1).text()).isEqualTo("Guide > Install > Linux\n\nMore Linux details.");
        assertThat(result.get(2).text()).as("a # inside fenced code is not a heading")
                .isEqualTo("Guide > Install > Linux\n\nAfter the code.");
        assertThat(result.get(3).text()).as("a chunk starting with its heading gets the path above it")
                .isEqualTo("Guide\n\n## Use\n\nStart it.");
        assertThat(result.get(1).charStart()).isEqualTo(chunks.get(1).charStart());
        assertThat(result.get(1).contentHash()).isEqualTo(StructuralChunker.sha256Hex(result.get(1).text()));
        assertThat(result.get(1).tokenCount()).isEqualTo(WORDS.count(result.get(1).text()));
    }

    @Test
    void thePathIsShortenedToTheNearestHeadingsWhenTheLimitIsTight() {
        List<Chunk> chunks = List.of(chunkAt(GUIDE, "More Linux details.", 0));

        assertThat(HeadingContext.apply(chunks, GUIDE, WORDS, 5).getFirst().text())
                .isEqualTo("Linux\n\nMore Linux details.");
        assertThat(HeadingContext.apply(chunks, GUIDE, WORDS, 3).getFirst().text())
                .as("no room at all: the chunk stays as it was").isEqualTo("More Linux details.");
    }

    @Test
    void textWithoutHeadingsIsLeftAlone() {
        String plain = "Just a paragraph.\n\nAnother one.";
        Chunk chunk = new Chunk(0, plain, 5, StructuralChunker.sha256Hex(plain), 0, plain.length());
        assertThat(HeadingContext.apply(List.of(chunk), plain, WORDS, 100)).containsExactly(chunk);
    }

    private static String pathOf(String text) {
        String body = "Body.";
        String document = text + "\n\n" + body;
        Chunk chunk = new Chunk(0, body, 1, StructuralChunker.sha256Hex(body), document.length() - body.length(),
                document.length());
        String withPath = HeadingContext.apply(List.of(chunk), document, WORDS, 1000).getFirst().text();
        return withPath.equals(body) ? null : withPath.substring(0, withPath.length() - body.length() - 2);
    }

    @Test
    void headingLinesAreReadAsMarkdownWritesThem() {
        assertThat(pathOf("# Title")).isEqualTo("Title");
        assertThat(pathOf("   ### Indented three ###  ")).as("a closing run of # and blanks is not the title")
                .isEqualTo("Indented three");
        assertThat(pathOf("# C# and F#")).as("# inside the title stays").isEqualTo("C# and F");
        assertThat(pathOf("#\tTabbed")).isEqualTo("Tabbed");
        assertThat(pathOf("# ###")).as("a title of # only keeps one").isEqualTo("#");
        assertThat(pathOf("    # Four spaces")).as("four spaces make code, not a heading").isNull();
        assertThat(pathOf("####### Seven")).as("at most six #").isNull();
        assertThat(pathOf("#NoBlank")).isNull();
        assertThat(pathOf("# Outer\r\n## Inner")).as("any line ending ends a heading").isEqualTo("Outer > Inner");
    }

    @Test
    void aVeryLongHeadingIsShortenedInThePath() {
        String title = "word ".repeat(100).strip();

        String path = pathOf("# " + title);

        assertThat(path).hasSize(HeadingContext.MAX_TITLE_CHARS + 1).endsWith("…");
        assertThat(title).startsWith(path.substring(0, HeadingContext.MAX_TITLE_CHARS));
    }

    @Test
    void chunksUnderManyHeadingsEachGetTheirOwnPath() {
        StringBuilder text = new StringBuilder();
        List<Chunk> chunks = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            text.append(i % 2 == 0 ? "# Part " + i : "## Section " + i).append("\n\n");
            String body = "Text " + i + ".";
            chunks.add(new Chunk(i, body, 2, StructuralChunker.sha256Hex(body), text.length(), text.length() + body.length()));
            text.append(body).append("\n\n");
        }

        List<Chunk> result = HeadingContext.apply(chunks, text.toString(), WORDS, 100);

        assertThat(result.get(0).text()).isEqualTo("Part 0\n\nText 0.");
        assertThat(result.get(1).text()).isEqualTo("Part 0 > Section 1\n\nText 1.");
        assertThat(result.get(2).text()).as("a new part closes the section").isEqualTo("Part 2\n\nText 2.");
        assertThat(result.get(49).text()).isEqualTo("Part 48 > Section 49\n\nText 49.");
    }
}
