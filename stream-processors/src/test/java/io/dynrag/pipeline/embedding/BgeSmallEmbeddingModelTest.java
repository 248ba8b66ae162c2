package io.dynrag.pipeline.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel;
import io.dynrag.vectorstore.QueryEmbedder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BgeSmallEmbeddingModelTest {

    private static final List<String> ONE_PIECE_WORDS = List.of(
            "river", "mountain", "green", "house", "music", "water", "light", "stone", "garden",
            "winter", "summer", "city", "road", "bridge", "forest", "ocean", "cloud", "market",
            "school", "window", "table", "paper", "train", "night", "morning", "village");

    private static BgeSmallEmbeddingModel model;

    @BeforeAll
    static void loadModel() {
        model = new BgeSmallEmbeddingModel(2, BgeSmallEmbeddingModel.Weights.FP32);
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    @Test
    void describesItself() {
        assertThat(model.id()).isEqualTo("bge-small-en-v1.5");
        assertThat(model.dimensions()).isEqualTo(384);
        assertThat(model.maxInputTokens()).isEqualTo(510);
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
    void poolsAsTheReferenceImplementationDoes() {
        // LangChain4j's own class for these files pools the [CLS] position, as the model's published config says.
        String text = "Event sourcing keeps every change to a document as an immutable event.";
        float[] expected = new BgeSmallEnV15EmbeddingModel().embed(text).content().vector();

        assertThat(cosine(model.embed(text), expected)).isGreaterThan(0.9999);
    }

    @Test
    void aQueryScoresItsAnsweringPassageAboveAnUnrelatedOne() {
        float[] query = model.embed(model.queryText("how do I reset a forgotten password"));
        List<float[]> passages = model.embed(List.of(
                "To reset your password, open the sign-in page, choose 'Forgot password' and follow the link "
                        + "we email to you.",
                "The lighthouse keeper climbed the tower every evening to light the lamp before sunset."));

        assertThat(cosine(query, passages.get(0))).isGreaterThan(cosine(query, passages.get(1)) + 0.1);
    }

    @Test
    void onlyQueriesGetTheRetrievalInstruction() {
        assertThat(model.queryText("where do bees go in winter"))
                .isEqualTo("Represent this sentence for searching relevant passages: where do bees go in winter");
        QueryEmbedding queries = new QueryEmbedding(new EmbeddingModels(model, ProviderCredentials.NONE));

        QueryEmbedder.EmbeddedQuery embedded = queries.embed("customer-1", model.id(), "where do bees go in winter");

        assertThat(embedded.model()).isEqualTo("bge-small-en-v1.5");
        assertThat(embedded.vector()).isEqualTo(model.embed(BgeSmallEmbeddingModel.QUERY_INSTRUCTION
                + "where do bees go in winter"));
        assertThat(embedded.vector()).isNotEqualTo(model.embed("where do bees go in winter"));
    }

    @Test
    void aQueryIsLimitedWithItsInstructionCounted() {
        int instruction = model.tokenizer().count(BgeSmallEmbeddingModel.QUERY_INSTRUCTION);
        String fits = String.join(" ", wordsWithPieces(510 - instruction));
        String over = String.join(" ", wordsWithPieces(511 - instruction));
        QueryEmbedding queries = new QueryEmbedding(new EmbeddingModels(model, ProviderCredentials.NONE));

        assertThat(queries.embed("customer-1", model.id(), fits).vector()).hasSize(384);
        assertThatThrownBy(() -> queries.embed("customer-1", model.id(), over))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the query has 511 tokens with the instruction bge-small-en-v1.5 puts before queries; "
                        + "the embedding model bge-small-en-v1.5 accepts at most 510");
    }

    @Test
    void embedsTheFullInputLimitAndRejectsTextsOverItInsteadOfTruncating() {
        String full = String.join(" ", wordsWithPieces(BgeSmallEmbeddingModel.MAX_INPUT_TOKENS));
        String tooLong = String.join(" ", wordsWithPieces(511));

        assertThat(model.embed(full)).hasSize(384);
        assertThatThrownBy(() -> model.embed(List.of("short", tooLong)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("text 1 has 511 word pieces")
                .hasMessageContaining("at most 510");
    }

    @Test
    void theInt8WeightsGiveVectorsCloseToFp32s() {
        List<String> texts = List.of("a cat sits on the mat", "Kafka keeps the events of every document");
        try (BgeSmallEmbeddingModel int8 = new BgeSmallEmbeddingModel(1, BgeSmallEmbeddingModel.Weights.INT8)) {
            assertThat(int8.id()).isEqualTo("bge-small-en-v1.5-q");
            List<float[]> quantised = int8.embed(texts);
            List<float[]> full = model.embed(texts);

            for (int i = 0; i < texts.size(); i++) {
                assertThat(norm(quantised.get(i))).isCloseTo(1.0, within(1e-5));
                assertThat(cosine(quantised.get(i), full.get(i))).isGreaterThan(0.95);
            }
            assertThat(int8.embed(texts.get(0))).isEqualTo(quantised.get(0));
        }
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
