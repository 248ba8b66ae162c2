package io.dynrag.pipeline.extraction;

import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeFilter;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Questions about a page's element tree answered in one pass over it. Asking them element by
 * element (an element's ancestors, or its whole text, for every element) costs time in
 * proportion to the nesting depth times the page, which a hostile page makes as large as it can.
 */
final class HtmlTrees {

    private HtmlTrees() {
    }

    /**
     * The elements below {@code root} that match and have no matching ancestor below {@code root},
     * in document order, not looking inside elements that {@code opaque} accepts.
     */
    static List<Element> outermost(Element root, Predicate<Element> match, Predicate<Element> opaque) {
        List<Element> found = new ArrayList<>();
        NodeTraversor.filter(new NodeFilter() {
            @Override
            public FilterResult head(Node node, int depth) {
                if (node == root || !(node instanceof Element element)) {
                    return FilterResult.CONTINUE;
                }
                if (match.test(element)) {
                    found.add(element);
                    return FilterResult.SKIP_ENTIRELY;
                }
                return opaque.test(element) ? FilterResult.SKIP_ENTIRELY : FilterResult.CONTINUE;
            }
        }, root);
        return found;
    }

    /** How much text each element holds, counted in characters other than whitespace. */
    static Map<Element, Integer> textLengths(Element root) {
        Map<Element, Integer> lengths = new IdentityHashMap<>();
        Deque<int[]> open = new ArrayDeque<>();
        NodeTraversor.traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
                if (node instanceof Element) {
                    open.push(new int[1]);
                } else if (node instanceof TextNode text && !open.isEmpty()) {
                    open.peek()[0] += visibleCharacters(text.getWholeText());
                }
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof Element element) {
                    int length = open.pop()[0];
                    lengths.put(element, length);
                    if (!open.isEmpty()) {
                        open.peek()[0] += length;
                    }
                }
            }
        }, root);
        return lengths;
    }

    private static int visibleCharacters(String text) {
        int count = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c) && c != '\u00A0') {
                count++;
            }
        }
        return count;
    }
}
