package io.dynrag.vectorstore.keyword;

import java.util.List;

/**
 * Sums over rows: how many have terms, their terms, their distinct terms. Lucene keeps replaced
 * rows, marked deleted, in its statistics until it merges them away; BM25 is computed from these
 * sums of the rows the version holds instead, so a score is the same whichever writes led to the
 * version, in the index of the latest version and in one of the same version built afresh.
 */
record RowTotals(long rows, long terms, long distinctTerms) {
    static final RowTotals NONE = new RowTotals(0, 0, 0);

    static RowTotals of(List<Terms.Term> terms) {
        return new RowTotals(terms.isEmpty() ? 0 : 1, terms.size(),
                terms.stream().map(Terms.Term::text).distinct().count());
    }

    RowTotals plus(RowTotals other) {
        return new RowTotals(rows + other.rows, terms + other.terms, distinctTerms + other.distinctTerms);
    }

    RowTotals minus(RowTotals other) {
        return new RowTotals(rows - other.rows, terms - other.terms, distinctTerms - other.distinctTerms);
    }
}
