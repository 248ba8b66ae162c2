package io.dynrag.vectorstore.keyword;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** Where a query's terms stand in a text: the same terms the keyword index matches. */
public final class Highlights {

    private Highlights() {
    }

    /** A character range {@code [start, end)} of a text. */
    public record Range(int start, int end) {
    }

    /**
     * The ranges of {@code text} that are one of the query's terms ({@link Terms#ofQuery}), in order:
     * a word whose stem is one of them too ({@code indexing} for the query {@code indexes});
     * overlapping ranges (an identifier and its parts) are merged.
     */
    public static List<Range> of(String text, String query) {
        return of(text, Terms.ofQuery(query).keySet());
    }

    static List<Range> of(String text, Set<String> queryTerms) {
        List<Range> found = new ArrayList<>();
        for (Terms.Term term : Terms.of(text)) {
            if (queryTerms.contains(term.text())) {
                found.add(new Range(term.start(), term.end()));
            }
        }
        found.sort(Comparator.comparingInt(Range::start).thenComparingInt(Range::end));
        List<Range> merged = new ArrayList<>();
        for (Range range : found) {
            Range last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && range.start() < last.end()) {
                merged.set(merged.size() - 1, new Range(last.start(), Math.max(last.end(), range.end())));
            } else {
                merged.add(range);
            }
        }
        return merged;
    }
}
