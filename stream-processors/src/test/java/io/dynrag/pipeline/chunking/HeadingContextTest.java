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
}
