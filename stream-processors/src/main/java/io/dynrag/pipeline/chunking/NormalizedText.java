package io.dynrag.pipeline.chunking;

/**
 * A source text with {@code \r\n} and {@code \r} turned into {@code \n} and a leading byte-order
 * mark dropped, remembering where each character came from so chunk offsets point into the
 * source as it was given.
 */
record NormalizedText(String text, int[] sourceOffsets) {

    static NormalizedText of(String source) {
        StringBuilder text = new StringBuilder(source.length());
        int[] offsets = new int[source.length() + 1];
        int i = !source.isEmpty() && source.charAt(0) == '\uFEFF' ? 1 : 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            offsets[text.length()] = i;
            if (c == '\r') {
                text.append('\n');
                i += i + 1 < source.length() && source.charAt(i + 1) == '\n' ? 2 : 1;
            } else {
                text.append(c);
                i++;
            }
        }
        offsets[text.length()] = source.length();
        int[] trimmed = new int[text.length() + 1];
        System.arraycopy(offsets, 0, trimmed, 0, trimmed.length);
        return new NormalizedText(text.toString(), trimmed);
    }

    /** Source offset of the normalised offset {@code index} (0 to length, inclusive). */
    int sourceOffset(int index) {
        return sourceOffsets[index];
    }

    String slice(Span span) {
        return text.substring(span.start(), span.end());
    }
}
