package io.dynrag.pipeline.testing;

import io.dynrag.pipeline.embedding.EmbeddingModel;
import io.dynrag.pipeline.embedding.TokenCounter;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A test's model, whose tokenizer misbehaves on a text carrying a marker the way code can on a
 * hostile document: it hangs without ever looking at interrupts or the deadline, overflows the
 * stack, or fails with an error that is neither.
 */
public record MisbehavingModel(EmbeddingModel model, CountDownLatch release) implements EmbeddingModel {

    /** Chunking a text with this hangs until {@code release} opens, whatever interrupts it. */
    public static final String HANGS = "[chunking hangs here]";
    /** Chunking a text with this overflows the stack. */
    public static final String OVERFLOWS = "[chunking overflows the stack here]";
    /** Chunking a text with this fails with an {@link InternalError}. */
    public static final String BREAKS = "[chunking fails with an error here]";

    @Override
    public String id() {
        return model.id();
    }

    @Override
    public int dimensions() {
        return model.dimensions();
    }

    @Override
    public int maxInputTokens() {
        return model.maxInputTokens();
    }

    @Override
    public TokenCounter tokenizer() {
        return new TokenCounter() {
            @Override
            public int count(String text) {
                misbehaveOn(text);
                return model.tokenizer().count(text);
            }

            @Override
            public int[] countAll(List<String> texts) {
                texts.forEach(MisbehavingModel.this::misbehaveOn);
                return model.tokenizer().countAll(texts);
            }
        };
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        return model.embed(texts);
    }

    @Override
    public void close() {
        // the wrapped model belongs to the test
    }

    private void misbehaveOn(String text) {
        if (text.contains(HANGS)) {
            while (true) {
                try {
                    if (release.await(10, TimeUnit.MILLISECONDS)) {
                        break;
                    }
                } catch (InterruptedException ignored) {
                    // goes on, as code that never looks at the flag does
                }
            }
        }
        if (text.contains(OVERFLOWS)) {
            recurse(0);
        }
        if (text.contains(BREAKS)) {
            throw new InternalError("simulated");
        }
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }
}
