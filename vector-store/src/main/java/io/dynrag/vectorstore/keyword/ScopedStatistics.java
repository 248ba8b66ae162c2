package io.dynrag.vectorstore.keyword;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermStatistics;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;

/** The BM25 statistics of a keyword search: over the rows it considers, whatever Lucene still holds. */
final class ScopedStatistics {

    private ScopedStatistics() {
    }

    /**
     * A searcher whose BM25 statistics count only the rows the version holds (see {@link RowTotals}),
     * without those of the excluded documents: a search that leaves out the documents deleted by
     * then scores as one of a version from which their rows are gone. Empty when no row with terms is
     * left: nothing can match.
     */
    static Optional<IndexSearcher> searcher(KeywordIndex.Snapshot snapshot, Set<String> excluded) throws IOException {
        Map<Object, FixedBitSet> excludedRows = new HashMap<>();
        long excludedCount = 0;
        RowTotals counted = snapshot.totals();
        for (String documentId : excluded) {
            RowTotals ofDocument = snapshot.perDocument().get(documentId);
            if (ofDocument == null) {
                continue;
            }
            counted = counted.minus(ofDocument);
            for (LeafReaderContext leaf : snapshot.reader().leaves()) {
                PostingsEnum rows = leaf.reader().postings(new Term(KeywordIndex.DOCUMENT, documentId));
                Bits live = leaf.reader().getLiveDocs();
                for (int doc = rows == null ? DocIdSetIterator.NO_MORE_DOCS : rows.nextDoc();
                        doc != DocIdSetIterator.NO_MORE_DOCS; doc = rows.nextDoc()) {
                    if (live == null || live.get(doc)) {
                        excludedRows.computeIfAbsent(leaf.id(), id -> new FixedBitSet(leaf.reader().maxDoc()))
                                .set(doc);
                        excludedCount++;
                    }
                }
            }
        }
        if (counted.rows() <= 0) {
            return Optional.empty();
        }
        RowTotals totals = counted;
        long maxDoc = snapshot.reader().numDocs() - excludedCount;
        return Optional.of(new IndexSearcher(snapshot.reader()) {
            @Override
            public CollectionStatistics collectionStatistics(String field) {
                return new CollectionStatistics(field, maxDoc, totals.rows(), totals.terms(), totals.distinctTerms());
            }

            @Override
            public TermStatistics termStatistics(Term term, int docFreq, long totalTermFreq) throws IOException {
                long rows = 0;
                long occurrences = 0;
                for (LeafReaderContext leaf : getIndexReader().leaves()) {
                    org.apache.lucene.index.Terms terms = leaf.reader().terms(term.field());
                    TermsEnum found = terms == null ? null : terms.iterator();
                    if (found == null || !found.seekExact(term.bytes())) {
                        continue;
                    }
                    Bits live = leaf.reader().getLiveDocs();
                    FixedBitSet left = excludedRows.get(leaf.id());
                    PostingsEnum postings = found.postings(null, PostingsEnum.FREQS);
                    for (int doc = postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = postings.nextDoc()) {
                        if ((live == null || live.get(doc)) && (left == null || !left.get(doc))) {
                            rows++;
                            occurrences += postings.freq();
                        }
                    }
                }
                // A term only deleted or excluded rows hold matches nothing; its statistics do not matter.
                return rows == 0 ? super.termStatistics(term, docFreq, totalTermFreq)
                        : new TermStatistics(term.bytes(), rows, occurrences);
            }
        });
    }
}
