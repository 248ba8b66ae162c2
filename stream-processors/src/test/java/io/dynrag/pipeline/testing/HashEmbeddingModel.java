package io.dynrag.pipeline.testing;

import io.dynrag.pipeline.embedding.EmbeddingModel;
import io.dynrag.pipeline.embedding.TokenCounter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * A deterministic embedding model for tests: a text's vector is its SHA-256 hash, read as
 * {@value #DIMENSIONS} signed bytes and normalised, so equal texts get equal vectors and different
 * texts (almost surely) different ones, with no model files and no native code. Tokens are counted
 * by {@link WordTokenCounter}; a text over the input limit is refused, as real models do.
 */
public final class HashEmbeddingModel implements EmbeddingModel {

    public static final String ID = "sha256-test-embedding";
    public static final int DIMENSIONS = 16;
    public static final int MAX_INPUT_TOKENS = 256;

    private final TokenCounter tokenizer = new WordTokenCounter();

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int dimensions() {
        return DIMENSIONS;
    }

    @Override
    public int maxInputTokens() {
        return MAX_INPUT_TOKENS;
    }

    @Override
    public TokenCounter tokenizer() {
        return tokenizer;
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        for (String text : texts) {
            int tokens = tokenizer.count(text);
            if (tokens > MAX_INPUT_TOKENS) {
                throw new IllegalArgumentException("a text has " + tokens + " tokens; " + ID + " accepts at most "
                        + MAX_INPUT_TOKENS);
            }
        }
        return texts.stream().map(HashEmbeddingModel::vector).toList();
    }

    private static float[] vector(String text) {
        byte[] hash = sha256(text);
        float[] vector = new float[DIMENSIONS];
        double norm = 0;
        for (int d = 0; d < DIMENSIONS; d++) {
            // Shifted by a half so that no component is zero, and neither is the vector.
            vector[d] = hash[d] + 0.5f;
            norm += vector[d] * vector[d];
        }
        for (int d = 0; d < DIMENSIONS; d++) {
            vector[d] /= (float) Math.sqrt(norm);
        }
        return vector;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public void close() {
        // holds nothing
    }
}
