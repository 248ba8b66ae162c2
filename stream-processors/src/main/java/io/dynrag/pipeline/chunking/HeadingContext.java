package io.dynrag.pipeline.chunking;

import io.dynrag.pipeline.deadline.DocumentDeadline;
import io.dynrag.pipeline.embedding.TokenCounter;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gives every Markdown chunk the path of headings it sits under ("Guide > Install > Linux"), so a
 * chunk from the middle of a section is still embedded, and shown, with what it is about. A chunk
 * that starts with its own heading keeps the path of the headings above it. The path goes in
 * front of the text only when it fits the model's input limit, shortened to the nearest headings
 * first; offsets keep pointing at the chunk's own text.
 */
public final class HeadingContext {

    private static final Pattern HEADING = Pattern.compile("(?m)^ {0,3}(#{1,6})[ \\t]+(.+?)[ \\t#]*$");
    private static final String SEPARATOR = " > ";

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
        for (Chunk chunk : chunks) {
            List<String> path = pathAt(headings, chunk.charStart());
            withContext.add(withPath(chunk, path, counter, maxTokens));
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

    /** The titles of the headings above the offset, outermost first (a heading at the offset excluded). */
    private static List<String> pathAt(List<Heading> headings, int offset) {
        List<Heading> stack = new ArrayList<>();
        for (Heading heading : headings) {
            if (heading.offset() > offset) {
                break;
            }
            while (!stack.isEmpty() && stack.getLast().level() >= heading.level()) {
                stack.removeLast();
            }
            if (heading.offset() == offset) {
                break;
            }
            stack.add(heading);
        }
        return stack.stream().map(Heading::title).toList();
    }

    private static List<Heading> headings(String text) {
        List<Heading> headings = new ArrayList<>();
        Matcher matcher = HEADING.matcher(DocumentDeadline.guard(text));
        boolean inFence = false;
        int fenceScan = 0;
        while (matcher.find()) {
            // Lines starting with # inside fenced code are code, not headings.
            for (int line = text.indexOf("```", fenceScan); line >= 0 && line < matcher.start();
                 line = text.indexOf("```", line + 3)) {
                if (line == 0 || text.charAt(line - 1) == '\n') {
                    inFence = !inFence;
                }
                fenceScan = line + 3;
            }
            if (!inFence) {
                headings.add(new Heading(matcher.start(), matcher.group(1).length(), matcher.group(2).strip()));
            }
        }
        return headings;
    }
}
