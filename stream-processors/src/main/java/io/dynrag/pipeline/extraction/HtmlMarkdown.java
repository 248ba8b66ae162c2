package io.dynrag.pipeline.extraction;

import io.dynrag.pipeline.deadline.DocumentDeadline;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes an HTML element's content as the Markdown the chunker understands: headings as {@code #}
 * lines, blocks separated by blank lines, list items as {@code - } (numbered in ordered lists),
 * table rows as cells joined by {@code |}, preformatted text as fenced code. Inline markup is
 * reduced to its text. Not thread-safe; one instance per page.
 */
final class HtmlMarkdown {

    private static final Set<String> BLOCKS = Set.of("address", "article", "aside", "blockquote", "body",
            "caption", "center", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption",
            "figure", "footer", "form", "header", "hgroup", "html", "legend", "li", "main", "menu", "nav", "p",
            "section", "summary", "tbody", "td", "tfoot", "th", "thead", "tr");
    /** Cell content that makes a table a page layout rather than data. */
    private static final Set<String> LAYOUT_CONTENT = Set.of("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul",
            "ol", "pre", "blockquote", "table");
    private static final Pattern WHITESPACE = Pattern.compile("[\\s\\u00A0]+");
    /** Paragraph lines the chunker would take for a heading or a code fence. */
    private static final Pattern MARKDOWN_LINE_START = Pattern.compile("^(#{1,6}(?:\\s|$)|```|~~~)");
    private static final Pattern BACKTICK_RUN = Pattern.compile("`+");

    private final int maxCharacters;
    private final StringBuilder out = new StringBuilder();
    private final StringBuilder inline = new StringBuilder();
    private Set<Element> layoutTables = Set.of();

    HtmlMarkdown(int maxCharacters) {
        this.maxCharacters = maxCharacters;
    }

    String render(Element root) {
        layoutTables = layoutTables(root);
        children(root);
        flush();
        return out.toString();
    }

    /** Text with every run of whitespace made one space, trimmed. */
    private static String collapse(String text) {
        return WHITESPACE.matcher(text).replaceAll(" ").strip();
    }

    private void children(Element element) {
        for (Node child : element.childNodes()) {
            if (child instanceof TextNode text) {
                appendInline(text.getWholeText());
            } else if (child instanceof Element childElement) {
                element(childElement);
            }
        }
    }

    private void element(Element element) {
        DocumentDeadline.check();
        String tag = element.normalName();
        switch (tag) {
            case "h1", "h2", "h3", "h4", "h5", "h6" -> {
                flush();
                String heading = collapse(element.text());
                if (!heading.isEmpty()) {
                    block("#".repeat(tag.charAt(1) - '0') + " " + heading);
                }
            }
            case "pre" -> {
                flush();
                preformatted(element);
            }
            case "ul", "ol", "menu", "dir" -> {
                flush();
                List<String> lines = new ArrayList<>();
                list(element, 0, lines);
                if (!lines.isEmpty()) {
                    block(String.join("\n", lines));
                }
            }
            case "table" -> {
                flush();
                if (layoutTables.contains(element)) {
                    children(element);
                    flush();
                } else {
                    table(element);
                }
            }
            case "br" -> inline.append('\n');
            case "hr" -> flush();
            case "img" -> appendInline(" ");
            default -> {
                if (BLOCKS.contains(tag) || element.isBlock()) {
                    flush();
                    children(element);
                    flush();
                } else {
                    children(element);
                }
            }
        }
    }

    /**
     * The tables that hold layout content, found in one pass over the page: asking each table of a
     * nested layout would read the inner tables once for every table around them.
     */
    private static Set<Element> layoutTables(Element root) {
        Set<Element> tables = Collections.newSetFromMap(new IdentityHashMap<>());
        // One flag per open element: whether layout content was seen below it.
        Deque<boolean[]> layoutBelow = new ArrayDeque<>();
        NodeTraversor.traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
                if (node instanceof Element) {
                    layoutBelow.push(new boolean[1]);
                }
            }

            @Override
            public void tail(Node node, int depth) {
                if (!(node instanceof Element element)) {
                    return;
                }
                boolean below = layoutBelow.pop()[0];
                if (below && element.nameIs("table")) {
                    tables.add(element);
                }
                if (!layoutBelow.isEmpty() && (below || LAYOUT_CONTENT.contains(element.normalName()))) {
                    layoutBelow.peek()[0] = true;
                }
            }
        }, root);
        return tables;
    }

    private void appendInline(String text) {
        String collapsed = WHITESPACE.matcher(text).replaceAll(" ");
        if (collapsed.startsWith(" ") && (inline.isEmpty() || endsWithSpace(inline))) {
            collapsed = collapsed.substring(1);
        }
        inline.append(collapsed);
        if (inline.length() > maxCharacters) {
            throw tooLong();
        }
    }

    private static boolean endsWithSpace(StringBuilder text) {
        char last = text.charAt(text.length() - 1);
        return last == ' ' || last == '\n';
    }

    /** Ends the paragraph being collected; line breaks from {@code <br>} stay. */
    private void flush() {
        if (inline.isEmpty()) {
            return;
        }
        List<String> lines = new ArrayList<>();
        for (String line : inline.toString().split("\n")) {
            String stripped = line.strip();
            if (!stripped.isEmpty()) {
                lines.add(MARKDOWN_LINE_START.matcher(stripped).find() ? "\\" + stripped : stripped);
            }
        }
        inline.setLength(0);
        if (!lines.isEmpty()) {
            block(String.join("\n", lines));
        }
    }

    private void block(String text) {
        if (!out.isEmpty()) {
            out.append("\n\n");
        }
        out.append(text);
        if (out.length() > maxCharacters) {
            throw tooLong();
        }
    }

    private void list(Element list, int depth, List<String> lines) {
        boolean ordered = list.nameIs("ol");
        int number = 1;
        for (Element item : list.children()) {
            if (item.nameIs("ul") || item.nameIs("ol")) {
                list(item, depth + 1, lines);
                continue;
            }
            List<Element> nested = HtmlTrees.outermost(item, element -> element.nameIs("ul") || element.nameIs("ol"),
                    element -> false);
            String text = collapse(textWithout(item, nested));
            if (!text.isEmpty()) {
                lines.add("  ".repeat(depth) + (ordered ? number++ + ". " : "- ") + text);
            }
            for (Element nestedList : nested) {
                list(nestedList, depth + 1, lines);
            }
        }
    }

    /**
     * An item's text without its nested lists, which are written as lines of their own. The lists
     * are taken out for the moment and put back, rather than the item copied: a copy per item
     * costs time in proportion to the nesting depth times the page.
     */
    private static String textWithout(Element item, List<Element> nested) {
        if (nested.isEmpty()) {
            return item.text();
        }
        List<Element> parents = new ArrayList<>(nested.size());
        int[] positions = new int[nested.size()];
        for (int i = 0; i < nested.size(); i++) {
            Element list = nested.get(i);
            parents.add(list.parent());
            positions[i] = list.siblingIndex();
            list.remove();
        }
        String text = item.text();
        for (int i = nested.size() - 1; i >= 0; i--) {
            parents.get(i).insertChildren(positions[i], nested.get(i));
        }
        return text;
    }

    private void table(Element table) {
        List<String> rows = new ArrayList<>();
        Element caption = table.selectFirst("caption");
        if (caption != null && caption.closest("table") == table && !collapse(caption.text()).isEmpty()) {
            rows.add(collapse(caption.text()));
        }
        for (Element row : table.select("tr")) {
            if (row.closest("table") != table) {
                continue;
            }
            List<String> cells = new ArrayList<>();
            for (Element cell : row.children()) {
                if (cell.nameIs("td") || cell.nameIs("th")) {
                    cells.add(collapse(cell.text()).replace("|", "\\|"));
                }
            }
            if (cells.stream().anyMatch(cell -> !cell.isEmpty())) {
                rows.add("| " + String.join(" | ", cells) + " |");
            }
        }
        if (!rows.isEmpty()) {
            block(String.join("\n", rows));
        }
    }

    private void preformatted(Element pre) {
        StringBuilder code = new StringBuilder();
        collectVerbatim(pre, code);
        String text = TextCleanup.normalizeLineEndings(code.toString()).stripTrailing();
        int firstLine = 0;
        while (firstLine < text.length() && text.charAt(firstLine) == '\n') {
            firstLine++;
        }
        text = text.substring(firstLine);
        if (text.isBlank()) {
            return;
        }
        int longestRun = 0;
        Matcher run = BACKTICK_RUN.matcher(text);
        while (run.find()) {
            longestRun = Math.max(longestRun, run.group().length());
        }
        String fence = "`".repeat(Math.max(3, longestRun + 1));
        block(fence + "\n" + text + "\n" + fence);
    }

    private static void collectVerbatim(Element element, StringBuilder code) {
        for (Node child : element.childNodes()) {
            if (child instanceof TextNode text) {
                code.append(text.getWholeText());
            } else if (child instanceof Element childElement) {
                if (childElement.nameIs("br")) {
                    code.append('\n');
                } else {
                    collectVerbatim(childElement, code);
                }
            }
        }
    }

    private ExtractionFailedException tooLong() {
        return new ExtractionFailedException("the page's text is longer than the limit of "
                + TextCleanup.count(maxCharacters) + " characters");
    }
}
