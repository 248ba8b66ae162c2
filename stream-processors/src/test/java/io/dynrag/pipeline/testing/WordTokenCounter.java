package io.dynrag.pipeline.testing;

import io.dynrag.pipeline.embedding.TokenCounter;

/**
 * A simple tokenizer for tests: every run of letters and digits is one token, and so is every
 * other character that is not white space. Counts add up over text joined by white space, as the
 * chunker expects of a model's word pieces.
 */
public final class WordTokenCounter implements TokenCounter {

    @Override
    public int count(String text) {
        int tokens = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            i += Character.charCount(codePoint);
            if (Character.isLetterOrDigit(codePoint)) {
                if (!inWord) {
                    tokens++;
                }
                inWord = true;
            } else {
                if (!Character.isWhitespace(codePoint)) {
                    tokens++;
                }
                inWord = false;
            }
        }
        return tokens;
    }
}
