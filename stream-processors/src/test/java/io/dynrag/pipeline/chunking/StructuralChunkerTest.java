package io.dynrag.pipeline.chunking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynrag.pipeline.embedding.MiniLmEmbeddingModel;
import io.dynrag.pipeline.embedding.TokenCounter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StructuralChunkerTest {

    private static final int LIMIT = MiniLmEmbeddingModel.MAX_INPUT_TOKENS;
    private static final List<String> WORDS = List.of(
            "the", "pipeline", "stores", "every", "event", "of", "a", "document", "and", "replays", "it",
            "when", "auditors", "ask", "vectors", "are", "written", "to", "Lance", "datasets", "per",
            "tenant", "chunking", "follows", "headings", "paragraphs", "sentences", "naïve", "café",
            "Zürich", "東京", "데이터", "данные", "🙂", "👩‍💻", "x²", "e.g.", "(see", "below)", "—", "42",
            "3.14", "https://example.com/a/b?c=d", "well-known", "don't", "résumé");

    private static final List<String> ENGLISH = List.of(
            "the", "pipeline", "stores", "every", "event", "of", "a", "document", "and", "replays", "it",
            "when", "auditors", "ask", "vectors", "are", "written", "to", "datasets", "per", "tenant",
            "chunks", "follow", "headings", "paragraphs", "sentences", "with", "care", "for", "search");

    private static MiniLmEmbeddingModel model;
    private static TokenCounter wordPieces;

    @BeforeAll
    static void loadTokenizer() {
        model = new MiniLmEmbeddingModel(1);
        wordPieces = model.tokenizer();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void blankInputHasNoChunks() {
        StructuralChunker chunker = new StructuralChunker(wordPieces, LIMIT);

        assertThat(chunker.chunk("", "text/plain")).isEmpty();
        assertThat(chunker.chunk(" \n\r\n\t \u00A0\u200B\n", "text/markdown")).isEmpty();
    }

    @Test
    void shortTextIsOneChunkWithItsHashAndOffsets() {
        String source = "\n\n  A short note about Lance.  \n";

        List<Chunk> chunks = new StructuralChunker(wordPieces, LIMIT).chunk(source, "text/plain");

        assertThat(chunks).containsExactly(new Chunk(0, "A short note about Lance.", 6,
                "ddc307fc3e32cfbf5ced31ee8f45fa93096fc09e41c24e437632b9dcda0b820f", 4, 29));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomDocumentsRespectTheLimitAndKeepAllContent(long seed) {
        Random random = new Random(seed);
        String source = randomDocument(random, 40);
        String contentType = seed % 2 == 0 ? "text/markdown" : "text/plain";

        for (int limit : List.of(LIMIT, 16)) {
            List<Chunk> chunks = new StructuralChunker(wordPieces, limit).chunk(source, contentType);
            assertWellFormed(source, chunks, wordPieces, limit);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void limitHoldsForCountersWhoseCountsDoNotAddUp(long seed) {
        // Counting characters charges for the whitespace between units, so the summed unit
        // counts underestimate the chunk and the chunker has to recount.
        TokenCounter characters = String::length;
        String source = randomDocument(new Random(seed), 40);

        List<Chunk> chunks = new StructuralChunker(characters, 300).chunk(source, "text/markdown");

        assertWellFormed(source, chunks, characters, 300);
    }

    @Test
    void sameInputGivesSameChunks() {
        String source = randomDocument(new Random(99), 30);
        StructuralChunker chunker = new StructuralChunker(wordPieces, LIMIT);

        assertThat(chunker.chunk(source, "text/markdown")).isEqualTo(chunker.chunk(source, "text/markdown"));
        assertThat(new StructuralChunker(wordPieces, LIMIT).chunk(source, "text/markdown"))
                .isEqualTo(chunker.chunk(source, "text/markdown"));
    }

    @Test
    void markdownHeadingsStartChunksAndNoChunkSpansTwoSections() {
        Random random = new Random(5);
        StringBuilder source = new StringBuilder("Preamble before any heading.\n\n");
        List<String> headings = new ArrayList<>();
        for (int s = 0; s < 12; s++) {
            String heading = s % 3 == 0 ? "Section " + s + "\n" + "=".repeat(10) : "## Section " + s;
            headings.add(heading.lines().findFirst().orElseThrow());
            source.append(heading).append("\n\n");
            for (int p = 0; p < 1 + random.nextInt(6); p++) {
                source.append(paragraph(random, 10 + random.nextInt(60))).append("\n\n");
            }
        }
        source.append("```\n# not a heading inside code\n\nstill code\n```\n");

        List<Chunk> chunks = new StructuralChunker(wordPieces, LIMIT).chunk(source.toString(), "text/markdown");

        assertWellFormed(source.toString(), chunks, wordPieces, LIMIT);
        assertThat(chunks.getFirst().text()).startsWith("Preamble");
        for (String heading : headings) {
            assertThat(chunks).filteredOn(chunk -> chunk.text().lines().findFirst().orElseThrow().equals(heading))
                    .hasSize(1);
        }
        for (Chunk chunk : chunks) {
            long headingsInChunk = chunk.text().lines().filter(headings::contains).count();
            assertThat(headingsInChunk).as(chunk.text()).isLessThanOrEqualTo(1);
        }
        assertThat(chunks.getLast().text())
                .startsWith("## Section 11")
                .endsWith("\n\n```\n# not a heading inside code\n\nstill code\n```");
    }

    @Test
    void plainTextHasNoHeadings() {
        String source = "# just a line\n\nanother paragraph";

        List<Chunk> chunks = new StructuralChunker(wordPieces, LIMIT).chunk(source, "text/plain");

        assertThat(chunks).extracting(Chunk::text).containsExactly(source);
    }

    @Test
    void offsetsPointIntoTheSourceWithItsOriginalLineEndings() {
        String source = "\uFEFFFirst paragraph,\r\nsecond line.\r\n\r\n" + paragraph(new Random(1), 400)
                .replace("\n", "\r\n") + "\rold Mac line ending\r\rlast.";

        List<Chunk> chunks = new StructuralChunker(wordPieces, LIMIT).chunk(source, "text/plain");

        assertWellFormed(source, chunks, wordPieces, LIMIT);
        assertThat(chunks.getFirst().charStart()).isEqualTo(1);
        assertThat(chunks.getFirst().text()).startsWith("First paragraph,\nsecond line.");
        assertThat(chunks.getLast().text()).endsWith("last.");
        assertThat(chunks.getLast().charEnd()).isEqualTo(source.length());
    }

    @Test
    void editingOneParagraphChangesOnlyNearbyChunks() {
        Random random = new Random(2024);
        List<String> paragraphs = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
            paragraphs.add(paragraph(random, 8 + random.nextInt(80), ENGLISH));
        }
        StructuralChunker chunker = new StructuralChunker(wordPieces, LIMIT);
        List<Chunk> original = chunker.chunk(String.join("\n\n", paragraphs), "text/plain");
        assertThat(original).hasSizeBetween(45, 80);

        int worst = 0;
        for (int edited = 50; edited < 150; edited += 5) {
            List<String> changed = new ArrayList<>(paragraphs);
            changed.set(edited, changed.get(edited) + " " + paragraph(random, 25, ENGLISH));
            List<Chunk> after = chunker.chunk(String.join("\n\n", changed), "text/plain");
            worst = Math.max(worst, Math.max(newHashes(original, after), newHashes(after, original)));
        }

        assertThat(worst).isLessThanOrEqualTo(3);
    }

    @Test
    void longSentencesSplitAtWordsAndGiantWordsByCount() {
        String longSentence = String.join(" ", Collections.nCopies(700, "tenant"));
        String giantWord = "!".repeat(600);
        String source = longSentence + "\n\n" + giantWord;

        List<Chunk> chunks = new StructuralChunker(wordPieces, LIMIT).chunk(source, "text/plain");

        assertWellFormed(source, chunks, wordPieces, LIMIT);
        assertThat(chunks).extracting(Chunk::text)
                .filteredOn(text -> text.startsWith("tenant"))
                .allMatch(text -> text.matches("tenant( tenant)*"));
        assertThat(chunks).filteredOn(chunk -> chunk.text().startsWith("!")).hasSize(3)
                .extracting(Chunk::tokenCount).containsExactly(254, 254, 92);
    }

    @Test
    void cjkWithoutSpacesIsSplitAtSentencesAndClauses() {
        StringBuilder source = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            source.append("東京のデータセンターでベクトルを保存します").append(i % 5 == 4 ? "。" : "、");
        }

        List<Chunk> chunks = new StructuralChunker(wordPieces, 64).chunk(source.toString(), "text/plain");

        assertWellFormed(source.toString(), chunks, wordPieces, 64);
        assertThat(chunks).hasSizeGreaterThan(8)
                .allSatisfy(chunk -> assertThat(chunk.text()).matches("(?s)東京.*[、。]"));
    }

    @Test
    void emojiAreNeverCutInHalf() {
        // The word-piece tokenizer sees a run of emoji as one unknown token, so count code points
        // to force cuts inside the run.
        TokenCounter codePoints = text -> text.codePointCount(0, text.length());
        String source = "🙂🚀👍".repeat(100) + " ok";

        List<Chunk> chunks = new StructuralChunker(codePoints, 7).chunk(source, "text/plain");

        assertWellFormed(source, chunks, codePoints, 7);
        assertThat(chunks).hasSize(44).first().extracting(Chunk::text).isEqualTo("🙂🚀👍🙂🚀👍🙂");
    }

    @Test
    void acceptsContentTypeParametersAndRejectsOtherTypes() {
        StructuralChunker chunker = new StructuralChunker(wordPieces, LIMIT);

        assertThat(chunker.chunk("# Title\n\nBody.", "Text/Markdown; charset=UTF-8")).hasSize(1);
        assertThatThrownBy(() -> chunker.chunk("%PDF-1.7", "application/pdf"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("application/pdf");
    }

    private static int newHashes(List<Chunk> before, List<Chunk> after) {
        Set<String> known = new HashSet<>();
        before.forEach(chunk -> known.add(chunk.contentHash()));
        return (int) after.stream().filter(chunk -> !known.contains(chunk.contentHash())).count();
    }

    private static void assertWellFormed(String source, List<Chunk> chunks, TokenCounter counter, int limit) {
        int previousEnd = 0;
        boolean[] covered = new boolean[source.length()];
        for (int i = 0; i < chunks.size(); i++) {
            Chunk chunk = chunks.get(i);
            assertThat(chunk.index()).isEqualTo(i);
            assertThat(chunk.text()).isNotBlank();
            assertThat(chunk.tokenCount()).isEqualTo(counter.count(chunk.text()))
                    .isLessThanOrEqualTo(limit);
            assertThat(chunk.contentHash()).isEqualTo(StructuralChunker.sha256Hex(chunk.text()));
            assertThat(chunk.charStart()).isGreaterThanOrEqualTo(previousEnd);
            String original = source.substring(chunk.charStart(), chunk.charEnd());
            assertThat(original.replace("\r\n", "\n").replace('\r', '\n')).isEqualTo(chunk.text());
            assertThat(Character.isLowSurrogate(source.charAt(chunk.charStart()))).isFalse();
            assertThat(Character.isHighSurrogate(source.charAt(chunk.charEnd() - 1))).isFalse();
            for (int c = chunk.charStart(); c < chunk.charEnd(); c++) {
                covered[c] = true;
            }
            previousEnd = chunk.charEnd();
        }
        for (int c = 0; c < source.length(); c++) {
            if (!covered[c] && !TextChars.isSpace(source.charAt(c))) {
                throw new AssertionError("character " + c + " '" + source.charAt(c) + "' is in no chunk");
            }
        }
    }

    private static String randomDocument(Random random, int paragraphs) {
        StringBuilder document = new StringBuilder();
        for (int p = 0; p < paragraphs; p++) {
            int kind = random.nextInt(20);
            if (kind == 0) {
                document.append("#".repeat(1 + random.nextInt(3))).append(' ').append(paragraph(random, 4));
            } else if (kind == 1) {
                document.append(String.join(" ", Collections.nCopies(300 + random.nextInt(300),
                        WORDS.get(random.nextInt(WORDS.size())))));
            } else if (kind == 2) {
                document.append("```\n").append(paragraph(random, 50).replace(". ", ";\n\n"))
                        .append("\n```");
            } else if (kind == 3) {
                document.append("?".repeat(200 + random.nextInt(400)));
            } else {
                document.append(paragraph(random, 5 + random.nextInt(random.nextBoolean() ? 60 : 400)));
            }
            document.append(random.nextInt(10) == 0 ? "\r\n\r\n" : "\n\n");
        }
        return document.toString();
    }

    private static String paragraph(Random random, int words) {
        return paragraph(random, words, WORDS);
    }

    private static String paragraph(Random random, int words, List<String> vocabulary) {
        StringBuilder paragraph = new StringBuilder();
        for (int w = 0; w < words; w++) {
            if (w > 0) {
                paragraph.append(random.nextInt(25) == 0 ? "\n" : " ");
            }
            paragraph.append(vocabulary.get(random.nextInt(vocabulary.size())));
            if (random.nextInt(12) == 0) {
                paragraph.append('.');
            }
        }
        return paragraph.append('.').toString();
    }
}
