package io.dynrag.vectorstore.keyword;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.ScanOptions;
import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.dataset.ChunkTable;
import io.dynrag.vectorstore.dataset.Scans;
import io.dynrag.vectorstore.search.ChunkMatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermStatistics;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;

/**
 * A Lucene index (BM25) holding exactly the rows of one version of one dataset, in memory. It is
 * derived: {@link #catchUp} makes it hold the rows of the version it is given by comparing each
 * document's rows (chunk index, document version, content hash) with what it holds, re-indexing the
 * documents that differ and removing those that are gone, so a first call indexes every row and
 * later calls only what the writes since changed. A version that only compacted or indexed the
 * dataset changes nothing here.
 *
 * <p>Searches run on a reader of one caught-up state while the next is built.
 */
final class KeywordIndex implements AutoCloseable {

    private static final String DOCUMENT = "document_id";
    private static final String DOC_VERSION = "doc_version";
    private static final String CHUNK = "chunk_index";
    private static final String PAGE = "page";
    private static final String TEXT = "text";
    /** Changed documents named in one scan filter; more, or a first build, read every row. */
    private static final int MAX_DOCUMENTS_IN_FILTER = 256;
    private static final List<String> ROW_KEYS =
            List.of(ChunkTable.DOCUMENT_ID, ChunkTable.CHUNK_INDEX, ChunkTable.DOC_VERSION, ChunkTable.CONTENT_HASH);
    private static final List<String> ROW_CONTENT =
            List.of(ChunkTable.DOCUMENT_ID, ChunkTable.DOC_VERSION, ChunkTable.CHUNK_INDEX, ChunkTable.TEXT,
                    ChunkTable.PAGE);

    /** Terms with their frequencies and the row's length (norms): what BM25 needs, no positions. */
    private static final FieldType TERMS = termsField();

    private final ByteBuffersDirectory directory = new ByteBuffersDirectory();
    private final IndexWriter writer;
    private volatile long bytes;
    /** Per document, per chunk index: its document version and content hash, as indexed. */
    private Map<String, Map<Integer, String>> indexed = Map.of();
    private final Map<String, Totals> perDocument = new HashMap<>();
    /** What snapshots read of {@link #perDocument}: a copy as of the last catch-up. */
    private Map<String, Totals> perDocumentCaughtUp = Map.of();
    private Totals totals = Totals.NONE;
    private long version = -1;
    private DirectoryReader reader;
    private boolean closed;

    KeywordIndex() {
        try {
            // Every text field comes split already (TermsTokenStream): the default analyzer is never asked.
            writer = new IndexWriter(directory, new IndexWriterConfig().setRAMBufferSizeMB(64));
            reader = DirectoryReader.open(writer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a keyword index in memory", e);
        }
    }

    /**
     * Sums over rows: how many have terms, their terms, their distinct terms. Lucene keeps replaced
     * rows, marked deleted, in its statistics until it merges them away; BM25 is computed from these
     * sums of the rows the version holds instead, so a score is the same whichever writes led to the
     * version, in the index of the latest version and in one of the same version built afresh.
     */
    record Totals(long rows, long terms, long distinctTerms) {
        static final Totals NONE = new Totals(0, 0, 0);

        static Totals of(List<Terms.Term> terms) {
            return new Totals(terms.isEmpty() ? 0 : 1, terms.size(),
                    terms.stream().map(Terms.Term::text).distinct().count());
        }

        Totals plus(Totals other) {
            return new Totals(rows + other.rows, terms + other.terms, distinctTerms + other.distinctTerms);
        }

        Totals minus(Totals other) {
            return new Totals(rows - other.rows, terms - other.terms, distinctTerms - other.distinctTerms);
        }
    }

    private static FieldType termsField() {
        FieldType terms = new FieldType();
        terms.setTokenized(true);
        terms.setIndexOptions(IndexOptions.DOCS_AND_FREQS);
        terms.freeze();
        return terms;
    }

    /** One caught-up state to search; release it when done. */
    record Snapshot(DirectoryReader reader, long version, Totals totals, Map<String, Totals> perDocument)
            implements AutoCloseable {
        @Override
        public void close() {
            try {
                reader.decRef();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Makes the index hold the rows of {@code dataset}'s version, unless it already holds a newer one
     * and {@code onlyForward}, and hands out that state; empty once the index is closed.
     */
    synchronized Optional<Snapshot> catchUp(Dataset dataset, boolean onlyForward) {
        if (closed) {
            return Optional.empty();
        }
        long target = dataset.version();
        if (target != version && !(onlyForward && target < version)) {
            apply(dataset);
        }
        reader.incRef();
        return Optional.of(new Snapshot(reader, version, totals, perDocumentCaughtUp));
    }

    private void apply(Dataset dataset) {
        Map<String, Map<Integer, String>> rows = new HashMap<>();
        Scans.scan(dataset, new ScanOptions.Builder().columns(ROW_KEYS).build(), (batch, i) -> rows
                .computeIfAbsent(ChunkTable.string(batch, ChunkTable.DOCUMENT_ID, i), id -> new TreeMap<>())
                .put(ChunkTable.integer(batch, ChunkTable.CHUNK_INDEX, i),
                        ChunkTable.integer(batch, ChunkTable.DOC_VERSION, i) + "/"
                                + ChunkTable.string(batch, ChunkTable.CONTENT_HASH, i)));
        Set<String> changed = rows.entrySet().stream()
                .filter(entry -> !entry.getValue().equals(indexed.get(entry.getKey())))
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet());
        Set<String> gone = new HashSet<>(indexed.keySet());
        gone.removeAll(rows.keySet());
        try {
            for (String documentId : changed) {
                remove(documentId);
            }
            for (String documentId : gone) {
                remove(documentId);
            }
            if (!changed.isEmpty()) {
                addRows(dataset, changed);
            }
            DirectoryReader newer = DirectoryReader.openIfChanged(reader, writer);
            if (newer != null) {
                reader.decRef();
                reader = newer;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot index the rows of " + dataset.uri(), e);
        }
        indexed = rows;
        version = dataset.version();
        perDocumentCaughtUp = Map.copyOf(perDocument);
        bytes = filesBytes() + writer.ramBytesUsed();
    }

    private void remove(String documentId) throws IOException {
        writer.deleteDocuments(new Term(DOCUMENT, documentId));
        Totals removed = perDocument.remove(documentId);
        if (removed != null) {
            totals = totals.minus(removed);
        }
    }

    private void addRows(Dataset dataset, Set<String> documents) {
        ScanOptions.Builder scan = new ScanOptions.Builder().columns(ROW_CONTENT);
        if (documents.size() <= MAX_DOCUMENTS_IN_FILTER && !indexed.isEmpty()) {
            scan.filter(ChunkTable.DOCUMENT_ID + " IN (" + documents.stream().sorted().map(Scans::sqlString)
                    .collect(Collectors.joining(", ")) + ")");
        }
        List<Document> added = new ArrayList<>();
        Scans.scan(dataset, scan.build(), (batch, i) -> {
            String documentId = ChunkTable.string(batch, ChunkTable.DOCUMENT_ID, i);
            if (documents.contains(documentId)) {
                Document row = new Document();
                row.add(new StringField(DOCUMENT, documentId, Field.Store.YES));
                row.add(new StoredField(DOC_VERSION, ChunkTable.integer(batch, ChunkTable.DOC_VERSION, i)));
                row.add(new StoredField(CHUNK, ChunkTable.integer(batch, ChunkTable.CHUNK_INDEX, i)));
                Integer page = ChunkTable.nullableInteger(batch, ChunkTable.PAGE, i);
                if (page != null) {
                    row.add(new StoredField(PAGE, page));
                }
                String text = ChunkTable.string(batch, ChunkTable.TEXT, i);
                List<Terms.Term> terms = Terms.of(text);
                row.add(new StoredField(TEXT, text));
                row.add(new Field(TEXT, new TermsTokenStream(terms, text.length()), TERMS));
                added.add(row);
                Totals ofRow = Totals.of(terms);
                perDocument.merge(documentId, ofRow, Totals::plus);
                totals = totals.plus(ofRow);
            }
        });
        try {
            writer.addDocuments(added);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot index the rows of " + dataset.uri(), e);
        }
    }

    /**
     * The {@code k} rows of the snapshot that score best by BM25 for any of {@code queryTerms}, best
     * first, among the rows {@code scope} names (its document filters apply before the k are chosen).
     */
    static List<ChunkMatch> search(Snapshot snapshot, Set<String> queryTerms, int k, SearchScope scope) {
        BooleanQuery.Builder query = new BooleanQuery.Builder();
        BooleanQuery.Builder anyTerm = new BooleanQuery.Builder();
        queryTerms.forEach(term -> anyTerm.add(new TermQuery(new Term(TEXT, term)), BooleanClause.Occur.SHOULD));
        query.add(anyTerm.build(), BooleanClause.Occur.MUST);
        scope.documentId().ifPresent(id -> query.add(new TermQuery(new Term(DOCUMENT, id)),
                BooleanClause.Occur.FILTER));
        scope.excluded().forEach(id -> query.add(new TermQuery(new Term(DOCUMENT, id)),
                BooleanClause.Occur.MUST_NOT));
        try {
            Optional<IndexSearcher> scoped = searcherOf(snapshot, scope.excluded());
            if (scoped.isEmpty()) {
                return List.of();
            }
            IndexSearcher searcher = scoped.get();
            StoredFields stored = searcher.storedFields();
            List<ChunkMatch> matches = new ArrayList<>();
            for (ScoreDoc hit : searcher.search(query.build(), k).scoreDocs) {
                Document row = stored.document(hit.doc);
                Field page = (Field) row.getField(PAGE);
                matches.add(new ChunkMatch(row.get(DOCUMENT), row.getField(DOC_VERSION).numericValue().intValue(),
                        row.getField(CHUNK).numericValue().intValue(), row.get(TEXT),
                        page == null ? null : page.numericValue().intValue(), hit.score));
            }
            // Rows of equal score come in the order of the rows' ids, as from the vector search.
            matches.sort(Comparator.comparingDouble(ChunkMatch::score).reversed()
                    .thenComparing(ChunkMatch::documentId)
                    .thenComparingInt(ChunkMatch::chunkIndex));
            return matches;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot search a keyword index", e);
        }
    }

    /**
     * A searcher whose BM25 statistics count only the rows the version holds (see {@link Totals}),
     * without those of the excluded documents: a search that leaves out the documents deleted by
     * then scores as one of a version from which their rows are gone. Empty when no row with terms is
     * left: nothing can match.
     */
    private static Optional<IndexSearcher> searcherOf(Snapshot snapshot, Set<String> excluded) throws IOException {
        Map<Object, FixedBitSet> excludedRows = new HashMap<>();
        long excludedCount = 0;
        Totals counted = snapshot.totals();
        for (String documentId : excluded) {
            Totals ofDocument = snapshot.perDocument().get(documentId);
            if (ofDocument == null) {
                continue;
            }
            counted = counted.minus(ofDocument);
            for (LeafReaderContext leaf : snapshot.reader().leaves()) {
                PostingsEnum rows = leaf.reader().postings(new Term(DOCUMENT, documentId));
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
        Totals totals = counted;
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

    private long filesBytes() {
        long total = 0;
        try {
            for (String file : directory.listAll()) {
                total += directory.fileLength(file);
            }
        } catch (IOException e) {
            // A merge removed a file while it was counted: the size is an estimate for eviction anyway.
        }
        return total;
    }

    /** The memory the index holds, as of its last catch-up. */
    long bytes() {
        return bytes;
    }

    /** Searches holding a snapshot finish on it; later ones build a new index. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            reader.decRef();
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close a keyword index", e);
        }
    }
}
