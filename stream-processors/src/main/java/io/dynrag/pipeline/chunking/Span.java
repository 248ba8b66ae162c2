package io.dynrag.pipeline.chunking;

/** A half-open range {@code [start, end)} of the normalised text. */
record Span(int start, int end) {

    Span {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("invalid span [" + start + ", " + end + ")");
        }
    }

    /** The same range without leading and trailing whitespace; empty if it is all whitespace. */
    static Span trimmed(String text, int start, int end) {
        while (start < end && TextChars.isSpace(text.charAt(start))) {
            start++;
        }
        while (end > start && TextChars.isSpace(text.charAt(end - 1))) {
            end--;
        }
        return new Span(start, end);
    }

    boolean isEmpty() {
        return start == end;
    }
}
