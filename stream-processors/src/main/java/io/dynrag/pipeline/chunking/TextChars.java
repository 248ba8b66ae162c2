package io.dynrag.pipeline.chunking;

/** Character classes the chunker splits on. */
final class TextChars {

    private TextChars() {
    }

    /**
     * Whitespace in the broad sense: Java whitespace plus no-break and other Unicode spaces, the
     * zero-width space and the byte-order mark, none of which carry content.
     */
    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u200B' || c == '\uFEFF';
    }

    static boolean isBlank(String text, int start, int end) {
        for (int i = start; i < end; i++) {
            if (!isSpace(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Ends a sentence when followed by whitespace. */
    static boolean isSentenceEnd(char c) {
        return c == '.' || c == '!' || c == '?' || c == '…';
    }

    /** Ends a sentence even without following whitespace (CJK full-width punctuation). */
    static boolean isFullWidthSentenceEnd(char c) {
        return c == '。' || c == '！' || c == '？' || c == '｡';
    }

    /** Ends a clause when followed by whitespace. */
    static boolean isClauseEnd(char c) {
        return c == ',' || c == ';' || c == ':';
    }

    /** Ends a clause even without following whitespace (CJK full-width punctuation). */
    static boolean isFullWidthClauseEnd(char c) {
        return c == '、' || c == '，' || c == '；' || c == '：';
    }

    /** Closing quotes and brackets that belong to the sentence they follow. */
    static boolean isCloser(char c) {
        return c == '"' || c == '\'' || c == ')' || c == ']' || c == '}' || c == '”' || c == '’'
                || c == '»' || c == '」' || c == '』' || c == '）';
    }
}
