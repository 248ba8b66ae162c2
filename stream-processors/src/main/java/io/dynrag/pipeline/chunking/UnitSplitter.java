package io.dynrag.pipeline.chunking;

import io.dynrag.pipeline.deadline.DocumentDeadline;
import io.dynrag.pipeline.embedding.TokenCounter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Breaks a block that is over the token limit into units that fit, trying the coarsest boundary
 * first: sentences, then clauses, then lines, then words, and as a last resort pieces of a single
 * word cut at the longest prefix that fits. Code is broken at lines first.
 */
final class UnitSplitter {

    /** A span of the normalised text and its token count, at most the limit. */
    record Unit(Span span, int tokens) {
    }

    enum Level { SENTENCES, CLAUSES, LINES, WORDS, PIECES }

    static final List<Level> PROSE = List.of(Level.SENTENCES, Level.CLAUSES, Level.LINES, Level.WORDS, Level.PIECES);
    static final List<Level> CODE = List.of(Level.LINES, Level.WORDS, Level.PIECES);

    private final String text;
    private final TokenCounter counter;
    private final int maxTokens;

    UnitSplitter(String text, TokenCounter counter, int maxTokens) {
        this.text = text;
        this.counter = counter;
        this.maxTokens = maxTokens;
    }

    List<Unit> split(Span span, int tokens, List<Level> levels) {
        List<Unit> units = new ArrayList<>();
        split(span, tokens, levels, units);
        return units;
    }

    private void split(Span span, int tokens, List<Level> levels, List<Unit> out) {
        if (tokens <= maxTokens) {
            out.add(new Unit(span, tokens));
            return;
        }
        for (int i = 0; i < levels.size(); i++) {
            Level level = levels.get(i);
            if (level == Level.PIECES) {
                cutPieces(span, out);
                return;
            }
            List<Span> parts = cut(span, level);
            if (parts.size() > 1) {
                List<Level> finer = levels.subList(i + 1, levels.size());
                for (Span part : parts) {
                    split(part, countBetween(part.start(), part.end()), finer, out);
                }
                return;
            }
        }
        throw new IllegalStateException("no way to split " + span + " below " + maxTokens + " tokens");
    }

    private List<Span> cut(Span span, Level level) {
        return switch (level) {
            case SENTENCES -> cutAfter(span, TextChars::isSentenceEnd, TextChars::isFullWidthSentenceEnd);
            case CLAUSES -> cutAfter(span, TextChars::isClauseEnd, TextChars::isFullWidthClauseEnd);
            case LINES -> cutAt(span, '\n');
            case WORDS -> cutAtSpaces(span);
            case PIECES -> throw new IllegalArgumentException("pieces are cut by count");
        };
    }

    /**
     * Cuts after each run of {@code end} characters (plus closing quotes and brackets) that is
     * followed by whitespace, and after each {@code fullWidthEnd} character whatever follows.
     */
    private List<Span> cutAfter(Span span, CharPredicate end, CharPredicate fullWidthEnd) {
        List<Span> parts = new ArrayList<>();
        int partStart = span.start();
        int i = span.start();
        while (i < span.end()) {
            char c = text.charAt(i);
            int boundary = -1;
            if (fullWidthEnd.test(c)) {
                boundary = skipClosers(i + 1, span.end());
            } else if (end.test(c)) {
                int j = skipClosers(runEnd(i, span.end(), end), span.end());
                if (j == span.end() || TextChars.isSpace(text.charAt(j))) {
                    boundary = j;
                }
            }
            if (boundary < 0) {
                // A run of ends not followed by whitespace ends no sentence from any of its
                // characters: skip it whole, or a long run of dots is scanned once per dot.
                i = end.test(c) ? runEnd(i, span.end(), end) : i + 1;
            } else {
                DocumentDeadline.check();
                addTrimmed(parts, partStart, boundary);
                partStart = boundary;
                i = boundary;
            }
        }
        addTrimmed(parts, partStart, span.end());
        return parts;
    }

    @FunctionalInterface
    private interface CharPredicate {
        boolean test(char c);
    }

    private int runEnd(int from, int end, CharPredicate member) {
        int j = from;
        while (j < end && member.test(text.charAt(j))) {
            j++;
        }
        return j;
    }

    private int skipClosers(int from, int end) {
        int j = from;
        while (j < end && TextChars.isCloser(text.charAt(j))) {
            j++;
        }
        return j;
    }

    private List<Span> cutAt(Span span, char separator) {
        List<Span> parts = new ArrayList<>();
        int partStart = span.start();
        for (int i = span.start(); i < span.end(); i++) {
            if (text.charAt(i) == separator) {
                addTrimmed(parts, partStart, i);
                partStart = i + 1;
            }
        }
        addTrimmed(parts, partStart, span.end());
        return parts;
    }

    private void addTrimmed(List<Span> parts, int start, int end) {
        Span part = Span.trimmed(text, start, end);
        if (!part.isEmpty()) {
            parts.add(part);
        }
    }

    private List<Span> cutAtSpaces(Span span) {
        List<Span> parts = new ArrayList<>();
        int wordStart = -1;
        for (int i = span.start(); i < span.end(); i++) {
            boolean space = TextChars.isSpace(text.charAt(i));
            if (space && wordStart >= 0) {
                parts.add(new Span(wordStart, i));
                wordStart = -1;
            } else if (!space && wordStart < 0) {
                wordStart = i;
            }
        }
        if (wordStart >= 0) {
            parts.add(new Span(wordStart, span.end()));
        }
        return parts;
    }

    /**
     * Cuts a span without usable boundaries at the longest prefix that fits. The prefix is found
     * by galloping (trying lengths that double, from the length of the previous piece, which text
     * of one kind mostly repeats) and then a binary search between the last length that fit and
     * the first that did not, so each piece costs a few counts of about its own length, however
     * long the span. Every piece holds at least one code point, so this always ends.
     */
    private void cutPieces(Span span, List<Unit> out) {
        int[] offsets = codePointOffsets(span);
        int last = offsets.length - 1;
        int first = 0;
        int previous = 0;
        while (first < last) {
            DocumentDeadline.check();
            int best = first + 1;
            int bestTokens = countBetween(offsets[first], offsets[best]);
            int tooLong = -1;
            if (previous > 1) {
                int guess = Math.min(last, first + previous);
                int tokens = countBetween(offsets[first], offsets[guess]);
                if (tokens <= maxTokens) {
                    best = guess;
                    bestTokens = tokens;
                } else {
                    tooLong = guess;
                }
            }
            for (int step = 1; tooLong < 0 && best < last; step *= 2) {
                int candidate = Math.min(last, best + step);
                int tokens = countBetween(offsets[first], offsets[candidate]);
                if (tokens <= maxTokens) {
                    best = candidate;
                    bestTokens = tokens;
                } else {
                    tooLong = candidate;
                }
            }
            int low = best + 1;
            int high = tooLong - 1;
            while (low <= high) {
                int middle = (low + high) >>> 1;
                int tokens = countBetween(offsets[first], offsets[middle]);
                if (tokens <= maxTokens) {
                    best = middle;
                    bestTokens = tokens;
                    low = middle + 1;
                } else {
                    high = middle - 1;
                }
            }
            out.add(new Unit(new Span(offsets[first], offsets[best]), bestTokens));
            previous = best - first;
            first = best;
        }
    }

    /** The offset of every code point of the span, and the span's end. */
    private int[] codePointOffsets(Span span) {
        int[] offsets = new int[span.end() - span.start() + 1];
        int count = 0;
        for (int i = span.start(); i < span.end(); i += Character.charCount(text.codePointAt(i))) {
            offsets[count++] = i;
        }
        offsets[count++] = span.end();
        return Arrays.copyOf(offsets, count);
    }

    private int countBetween(int start, int end) {
        return counter.count(text.substring(start, end));
    }
}
