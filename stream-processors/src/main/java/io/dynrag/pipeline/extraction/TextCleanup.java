package io.dynrag.pipeline.extraction;

import io.dynrag.pipeline.deadline.DocumentDeadline;
import java.util.Locale;
import java.util.regex.Pattern;

/** Small text repairs shared by the extractors. */
final class TextCleanup {

    static final int MAX_TITLE_LENGTH = 500;
    private static final Pattern WHITESPACE = Pattern.compile("[\\s\\u00A0\\p{Cntrl}]+");

    private TextCleanup() {
    }

    /** A count as the reasons shown to users write it: {@code 5,000,000}. */
    static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /**
     * A title as documents carry it, made fit for showing: whitespace runs become one space, and
     * it is cut to {@value #MAX_TITLE_LENGTH} characters, as titles given on upload are.
     *
     * @return the title, or null if nothing is left
     */
    static String title(String raw) {
        if (raw == null) {
            return null;
        }
        String title = WHITESPACE.matcher(raw).replaceAll(" ").strip();
        if (title.length() > MAX_TITLE_LENGTH) {
            int end = Character.isHighSurrogate(title.charAt(MAX_TITLE_LENGTH - 1))
                    ? MAX_TITLE_LENGTH - 1 : MAX_TITLE_LENGTH;
            title = title.substring(0, end).strip();
        }
        return title.isEmpty() ? null : title;
    }

    /** {@code \r\n} and lone {@code \r} become {@code \n}. */
    static String normalizeLineEndings(String text) {
        return text.indexOf('\r') < 0 ? text : text.replace("\r\n", "\n").replace('\r', '\n');
    }

    /**
     * Tidies text that a layout engine produced: control characters other than tab and line feed
     * dropped, non-breaking spaces made plain, trailing spaces cut, at most one blank line in a
     * row, no blank lines at either end.
     */
    static String tidyLayoutText(CharSequence raw) {
        String text = normalizeLineEndings(raw.toString());
        StringBuilder out = new StringBuilder(text.length());
        int blankLines = 0;
        int lineStart = 0;
        while (lineStart <= text.length()) {
            DocumentDeadline.check();
            int lineEnd = text.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = text.length();
            }
            String line = cleanLine(text, lineStart, lineEnd);
            if (line.isEmpty()) {
                blankLines++;
            } else {
                if (!out.isEmpty()) {
                    out.append(blankLines > 0 ? "\n\n" : "\n");
                }
                out.append(line);
                blankLines = 0;
            }
            lineStart = lineEnd + 1;
        }
        return out.toString();
    }

    private static String cleanLine(String text, int start, int end) {
        StringBuilder line = new StringBuilder(end - start);
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c == '\u00A0') {
                line.append(' ');
            } else if (c == '\t' || !Character.isISOControl(c)) {
                line.append(c);
            }
        }
        return line.toString().stripTrailing();
    }
}
