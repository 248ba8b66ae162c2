package io.dynrag.pipeline.chunking;

import io.dynrag.pipeline.deadline.DocumentDeadline;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a normalised text into sections (a Markdown heading and what follows it up to the next
 * heading) made of blocks (the heading, blank-line separated paragraphs, fenced code blocks).
 * Plain text is one section of paragraphs.
 */
final class DocumentStructure {

    enum BlockKind { HEADING, PARAGRAPH, CODE }

    record Block(Span span, BlockKind kind) {
    }

    record Section(List<Block> blocks) {
    }

    private static final Pattern ATX_HEADING = Pattern.compile("^ {0,3}#{1,6}(?:[ \\t].*)?$");
    private static final Pattern SETEXT_UNDERLINE = Pattern.compile("^ {0,3}(?:=+|-+)[ \\t]*$");
    private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})");

    private final String text;
    private final boolean markdown;
    private final List<Section> sections = new ArrayList<>();
    private List<Block> blocks = new ArrayList<>();
    private int paragraphStart = -1;
    private int paragraphEnd = -1;
    private int paragraphLines;
    private int codeStart = -1;
    private String fence;

    private DocumentStructure(String text, boolean markdown) {
        this.text = text;
        this.markdown = markdown;
    }

    static List<Section> markdown(String text) {
        return new DocumentStructure(text, true).parse();
    }

    static List<Section> plain(String text) {
        return new DocumentStructure(text, false).parse();
    }

    private List<Section> parse() {
        int lineStart = 0;
        while (lineStart <= text.length()) {
            DocumentDeadline.check();
            int newline = text.indexOf('\n', lineStart);
            int lineEnd = newline < 0 ? text.length() : newline;
            acceptLine(lineStart, lineEnd);
            if (newline < 0) {
                break;
            }
            lineStart = newline + 1;
        }
        if (codeStart >= 0) {
            endCode(text.length());
        }
        endParagraph();
        endSection();
        return sections;
    }

    private void acceptLine(int start, int end) {
        String line = text.substring(start, end);
        if (codeStart >= 0) {
            if (closesFence(line)) {
                endCode(end);
            }
            return;
        }
        if (TextChars.isBlank(text, start, end)) {
            endParagraph();
            return;
        }
        if (!markdown) {
            extendParagraph(start, end);
            return;
        }
        Matcher fenceOpening = FENCE.matcher(line);
        if (fenceOpening.find()) {
            endParagraph();
            codeStart = start;
            fence = fenceOpening.group(1);
        } else if (ATX_HEADING.matcher(line).matches()) {
            endParagraph();
            startSection(start, end);
        } else if (paragraphLines == 1 && SETEXT_UNDERLINE.matcher(line).matches()) {
            int headingStart = paragraphStart;
            paragraphStart = -1;
            paragraphLines = 0;
            startSection(headingStart, end);
        } else {
            extendParagraph(start, end);
        }
    }

    private boolean closesFence(String line) {
        String stripped = line.strip();
        return stripped.length() >= fence.length()
                && stripped.chars().allMatch(c -> c == fence.charAt(0))
                && line.indexOf(fence.charAt(0)) <= 3;
    }

    private void extendParagraph(int start, int end) {
        if (paragraphStart < 0) {
            paragraphStart = start;
        }
        paragraphEnd = end;
        paragraphLines++;
    }

    private void endParagraph() {
        if (paragraphStart >= 0) {
            addBlock(paragraphStart, paragraphEnd, BlockKind.PARAGRAPH);
            paragraphStart = -1;
            paragraphLines = 0;
        }
    }

    private void endCode(int end) {
        addBlock(codeStart, end, BlockKind.CODE);
        codeStart = -1;
        fence = null;
    }

    private void startSection(int headingStart, int headingEnd) {
        endSection();
        addBlock(headingStart, headingEnd, BlockKind.HEADING);
    }

    private void endSection() {
        if (!blocks.isEmpty()) {
            sections.add(new Section(List.copyOf(blocks)));
            blocks = new ArrayList<>();
        }
    }

    private void addBlock(int start, int end, BlockKind kind) {
        Span span = Span.trimmed(text, start, end);
        if (!span.isEmpty()) {
            blocks.add(new Block(span, kind));
        }
    }
}
