package io.dynrag.pipeline.chunking;

import io.dynrag.pipeline.deadline.DocumentDeadline;
import io.dynrag.pipeline.embedding.TokenCounter;

import java.util.ArrayList;
import java.util.List;

/**
 * Gives every Markdown chunk the path of headings it sits under ("Guide > Install > Linux"), so a
 * chunk from the middle of a section is still embedded, and shown, with what it is about. A chunk
 * that starts with its own heading keeps the path of the headings above it. The path goes in
 * front of the text only when it fits the model's input limit, shortened to the nearest headings
 * first; offsets keep pointing at the chunk's own text.
 */
public final class HeadingContext {

    private static final String SEPARATOR = " > ";
    /**
     * Longest heading title carried into a path. Real titles are far shorter; the cut keeps the
     * cost of fitting a path to each chunk independent of how long a hostile heading line is.
     */
    static final int MAX_TITLE_CHARS = 200;

    private HeadingContext() {
    }

    private record Heading(int offset, int level, String title) {
    }

    /** @param text the text the chunks' offsets point into */
    public static List<Chunk> apply(List<Chunk> chunks, String text, TokenCounter counter, int maxTokens) {
        List<Heading> headings = headings(text);
        if (headings.isEmpty()) {
            return chunks;
        }
        List<Chunk> withContext = new ArrayList<>(chunks.size());
        PathWalk walk = new PathWalk(headings);
        for (Chunk chunk : chunks) {
            DocumentDeadline.check();
            withContext.add(withPath(chunk, walk.pathAt(chunk.charStart()), counter, maxTokens));
        }
        return List.copyOf(withContext);
    }

    private static Chunk withPath(Chunk chunk, List<String> path, TokenCounter counter, int maxTokens) {
        for (int from = 0; from < path.size(); from++) {
            String prefix = String.join(SEPARATOR, path.subList(from, path.size())) + "\n\n";
            String text = prefix + chunk.text();
            int tokens = counter.count(text);
            if (tokens <= maxTokens) {
                return new Chunk(chunk.index(), text, tokens, StructuralChunker.sha256Hex(text), chunk.charStart(),
                        chunk.charEnd());
            }
        }
        return chunk;
    }

    /**
     * The headings above each chunk, for chunks visited in document order: one pass over the
     * headings for all chunks together, not one per chunk.
     */
    private static final class PathWalk {

        private final List<Heading> headings;
        /** Open headings, outermost first; their levels strictly increase. */
        private final List<Heading> open = new ArrayList<>();
        private int next;
        private int lastOffset;

        PathWalk(List<Heading> headings) {
            this.headings = headings;
        }

        /** The titles of the headings above the offset, outermost first (a heading at the offset excluded). */
        List<String> pathAt(int offset) {
            if (offset < lastOffset) {
                open.clear();
                next = 0;
            }
            lastOffset = offset;
            while (next < headings.size() && headings.get(next).offset() < offset) {
                Heading heading = headings.get(next++);
                closeSectionsFrom(heading.level(), open.size());
                open.add(heading);
            }
            int above = open.size();
            if (next < headings.size() && headings.get(next).offset() == offset) {
                above = closeSectionsFrom(headings.get(next).level(), above);
                return open.subList(0, above).stream().map(Heading::title).toList();
            }
            return open.stream().map(Heading::title).toList();
        }

        /**
         * How many of the first {@code count} open headings stay open under a heading of
         * {@code level}; when all are considered, the closed ones are dropped.
         */
        private int closeSectionsFrom(int level, int count) {
            int kept = count;
            while (kept > 0 && open.get(kept - 1).level() >= level) {
                kept--;
            }
            if (count == open.size()) {
                open.subList(kept, open.size()).clear();
            }
            return kept;
        }
    }

    /** The ATX headings of the text, outside fenced code, in order. */
    private static List<Heading> headings(String text) {
        List<Heading> headings = new ArrayList<>();
        boolean inFence = false;
        int fenceScan = 0;
        int lineStart = 0;
        while (true) {
            DocumentDeadline.check();
            int lineEnd = lineEnd(text, lineStart);
            Heading heading = heading(text, lineStart, lineEnd);
            if (heading != null) {
                // Lines starting with # inside fenced code are code, not headings.
                for (int fence = text.indexOf("```", fenceScan); fence >= 0 && fence < lineStart;
                     fence = text.indexOf("```", fence + 3)) {
                    if (fence == 0 || text.charAt(fence - 1) == '\n') {
                        inFence = !inFence;
                    }
                    fenceScan = fence + 3;
                }
                if (!inFence) {
                    headings.add(heading);
                }
            }
            if (lineEnd == text.length()) {
                return headings;
            }
            lineStart = lineEnd + (text.startsWith("\r\n", lineEnd) ? 2 : 1);
        }
    }

    /** Where the line starting at {@code start} ends: at a line terminator or the end of the text. */
    private static int lineEnd(String text, int start) {
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                return i;
            }
        }
        return text.length();
    }

    /**
     * The ATX heading on the line {@code [start, end)}, or null: up to three spaces, one to six
     * {@code #}, at least one space or tab, then the title without a closing run of {@code #} and
     * blanks. A single scan, so a line of any length costs time in proportion to it.
     */
    private static Heading heading(String text, int start, int end) {
        int i = start;
        while (i < end && i - start < 3 && text.charAt(i) == ' ') {
            i++;
        }
        int hashes = i;
        while (i < end && text.charAt(i) == '#') {
            i++;
        }
        int level = i - hashes;
        if (level < 1 || level > 6) {
            return null;
        }
        int blanks = i;
        while (i < end && isBlank(text.charAt(i))) {
            i++;
        }
        if (i == blanks) {
            return null;
        }
        String title;
        if (i == end) {
            if (i - blanks < 2) {
                return null;    // one blank cannot be both the separator and the title
            }
            title = "";
        } else {
            int titleEnd = end;
            while (titleEnd > i && (isBlank(text.charAt(titleEnd - 1)) || text.charAt(titleEnd - 1) == '#')) {
                titleEnd--;
            }
            title = text.substring(i, Math.max(titleEnd, i + 1)).strip();
        }
        return new Heading(start, level, shortened(title));
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static String shortened(String title) {
        if (title.length() <= MAX_TITLE_CHARS) {
            return title;
        }
        int cut = Character.isHighSurrogate(title.charAt(MAX_TITLE_CHARS - 1)) ? MAX_TITLE_CHARS - 1 : MAX_TITLE_CHARS;
        return title.substring(0, cut) + "…";
    }
}
