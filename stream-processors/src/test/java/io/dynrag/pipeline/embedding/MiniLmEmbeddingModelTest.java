package io.dynrag.pipeline.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MiniLmEmbeddingModelTest {

    private static final List<String> ONE_PIECE_WORDS = List.of(
            "river", "mountain", "green", "house", "music", "water", "light", "stone", "garden",
            "winter", "summer", "city", "road", "bridge", "forest", "ocean", "cloud", "market",
            "school", "window", "table", "paper", "train", "night", "morning", "village");

    private static MiniLmEmbeddingModel model;

    @BeforeAll
    static void loadModel() {
        model = new MiniLmEmbeddingModel(2);
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    @Test
    void describesItself() {
        assertThat(model.id()).isEqualTo("all-minilm-l6-v2");
        assertThat(model.dimensions()).isEqualTo(384);
        assertThat(model.maxInputTokens()).isEqualTo(254);
    }

    @Test
    void producesUnitVectorsOfTheModelDimension() {
        List<float[]> vectors = model.embed(List.of("a cat sits on the mat", "Lance stores vectors"));

        assertThat(vectors).hasSize(2).allSatisfy(vector -> {
            assertThat(vector).hasSize(384);
            assertThat(norm(vector)).isCloseTo(1.0, within(1e-5));
        });
    }

    @Test
    void sameTextGivesIdenticalVectorsWhateverTheCallPattern() {
        List<String> texts = List.of("the same text", "another sentence about rivers", "the same text",
                "a third one, to keep both sessions busy");

        List<float[]> together = model.embed(texts);
        List<float[]> oneByOne = texts.stream().map(model::embed).toList();

        assertThat(together.get(0)).isEqualTo(together.get(2));
        for (int i = 0; i < texts.size(); i++) {
            assertThat(together.get(i)).isEqualTo(oneByOne.get(i));
        }
    }

    @Test
    void concurrentCallersGetTheSameVectorsAsOneCaller() throws Exception {
        List<String> texts = List.of("one", "two rivers", "three green mountains", "four", "five stones",
                "six windows in a house");
        List<float[]> expected = model.embed(texts);
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<float[]>>> results = new ArrayList<>();
            for (int caller = 0; caller < 3; caller++) {
                results.add(callers.submit(() -> model.embed(texts)));
            }
            for (Future<List<float[]>> result : results) {
                List<float[]> vectors = result.get(60, TimeUnit.SECONDS);
                for (int i = 0; i < texts.size(); i++) {
                    assertThat(vectors.get(i)).isEqualTo(expected.get(i));
                }
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void similarMeaningsAreCloserThanUnrelatedOnes() {
        List<float[]> v = model.embed(List.of(
                "a cat sits on the mat", "a kitten is sitting on a rug", "quarterly tax filing deadline"));

        assertThat(cosine(v.get(0), v.get(1))).isGreaterThan(cosine(v.get(0), v.get(2)) + 0.2);
    }

    @Test
    void matchesTheReferenceImplementationForShortTexts() {
        String text = "Event sourcing keeps every change to a document as an immutable event.";
        AllMiniLmL6V2EmbeddingModel reference = new AllMiniLmL6V2EmbeddingModel();

        float[] expected = reference.embed(text).content().vector();

        assertThat(model.tokenizer().count(text)).isLessThan(100);
        assertThat(cosine(model.embed(text), expected)).isGreaterThan(0.9999);
    }

    @Test
    void embedsTheFullInputLimitWithoutTruncating() {
        List<String> words = wordsWithPieces(MiniLmEmbeddingModel.MAX_INPUT_TOKENS);
        String full = String.join(" ", words);
        String first128 = String.join(" ", words.subList(0, 128));

        assertThat(model.tokenizer().count(full)).isEqualTo(254);
        assertThat(model.tokenizer().count(first128)).isEqualTo(128);
        List<float[]> vectors = model.embed(List.of(full, first128));

        assertThat(vectors.get(0)).isNotEqualTo(vectors.get(1));
        assertThat(cosine(vectors.get(0), vectors.get(1))).isLessThan(0.999);
    }

    @Test
    void rejectsTextsOverTheLimitInsteadOfTruncating() {
        String tooLong = String.join(" ", wordsWithPieces(255));

        assertThatThrownBy(() -> model.embed(List.of("short", tooLong)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("text 1 has 255 word pieces")
                .hasMessageContaining("at most 254");
    }

    @Test
    void countsWordPiecesWithoutSpecialTokens() {
        TokenCounter counter = model.tokenizer();

        assertThat(counter.count("hello world")).isEqualTo(2);
        assertThat(counter.count("")).isZero();
        assertThat(counter.count("tokenization")).isEqualTo(2);
        assertThat(counter.countAll(List.of("hello world", "", "tokenization"))).containsExactly(2, 0, 2);
    }

    @Test
    void emptyInputListGivesNoVectors() {
        assertThat(model.embed(List.of())).isEmpty();
    }

    private static List<String> wordsWithPieces(int pieces) {
        List<String> words = new ArrayList<>();
        for (int i = 0; words.size() < pieces; i++) {
            words.add(ONE_PIECE_WORDS.get(i % ONE_PIECE_WORDS.size()));
        }
        assertThat(model.tokenizer().count(String.join(" ", words))).isEqualTo(pieces);
        return words;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }
}
