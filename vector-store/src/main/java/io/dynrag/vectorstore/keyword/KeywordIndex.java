package io.dynrag.vectorstore.keyword;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.Fragment;
import com.lancedb.lance.ipc.ScanOptions;
import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.dataset.ChunkTable;
import io.dynrag.vectorstore.dataset.Scans;
import io.dynrag.vectorstore.dataset.WriterFence;
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
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.util.BytesRef;

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

    static final String DOCUMENT = "document_id";
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
    /** The same keys by the fragment that holds them, to read again only the fragments that changed. */
    private Map<Integer, FragmentRows> fragments = Map.of();
    private final Map<String, RowTotals> perDocument = new HashMap<>();
    /** What snapshots read of {@link #perDocument}: a copy as of the last catch-up. */
    private Map<String, RowTotals> perDocumentCaughtUp = Map.of();
    private RowTotals totals = RowTotals.NONE;
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

    private static FieldType termsField() {
        FieldType terms = new FieldType();
        terms.setTokenized(true);
        terms.setIndexOptions(IndexOptions.DOCS_AND_FREQS);
        terms.freeze();
        return terms;
    }

    /** One caught-up state to search; release it when done. */
    record Snapshot(DirectoryReader reader, long version, RowTotals totals, Map<String, RowTotals> perDocument)
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
        // Only fragments that are new or whose deletions changed are read again: a write adds one
        // fragment and marks rows deleted in few, so catching up costs what the writes changed.
        Map<Integer, FragmentRows> now = new HashMap<>();
        for (Fragment fragment : dataset.getFragments()) {
            String signature = fragment.metadata().toString();
            FragmentRows known = fragments.get(fragment.getId());
            now.put(fragment.getId(), known != null && known.signature().equals(signature)
                    ? known : new FragmentRows(signature, keysOf(dataset, fragment.getId())));
        }
        Map<String, Map<Integer, String>> rows = new HashMap<>();
        for (FragmentRows fragment : now.values()) {
            fragment.rows().forEach((documentId, chunks) ->
                    rows.computeIfAbsent(documentId, id -> new TreeMap<>()).putAll(chunks));
        }
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
        fragments = now;
        version = dataset.version();
        perDocumentCaughtUp = Map.copyOf(perDocument);
        bytes = filesBytes() + writer.ramBytesUsed();
    }

    /** Per document, per chunk index, the document version and content hash of a fragment's rows. */
    private static Map<String, Map<Integer, String>> keysOf(Dataset dataset, int fragmentId) {
        Map<String, Map<Integer, String>> rows = new HashMap<>();
        Scans.scan(dataset, new ScanOptions.Builder().fragmentIds(List.of(fragmentId)).columns(ROW_KEYS).build(),
                (batch, i) -> rows
                        .computeIfAbsent(ChunkTable.string(batch, ChunkTable.DOCUMENT_ID, i), id -> new TreeMap<>())
                        .put(ChunkTable.integer(batch, ChunkTable.CHUNK_INDEX, i),
                                ChunkTable.integer(batch, ChunkTable.DOC_VERSION, i) + "/"
                                        + ChunkTable.string(batch, ChunkTable.CONTENT_HASH, i)));
        rows.remove(WriterFence.DOCUMENT_ID);
        return rows;
    }

    /** A fragment's row keys, as read when its metadata (data files, deletions) was {@code signature}. */
    private record FragmentRows(String signature, Map<String, Map<Integer, String>> rows) {
    }

    private void remove(String documentId) throws IOException {
        writer.deleteDocuments(new Term(DOCUMENT, documentId));
        RowTotals removed = perDocument.remove(documentId);
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
                RowTotals ofRow = RowTotals.of(terms);
                perDocument.merge(documentId, ofRow, RowTotals::plus);
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
     * The {@code k} rows of the snapshot that score best by BM25 for any of {@code queryTerms}, each
     * term's score times its weight, best first, among the rows {@code scope} names (its document
     * filters apply before the k are chosen).
     */
    static List<ChunkMatch> search(Snapshot snapshot, Map<String, Float> queryTerms, int k, SearchScope scope) {
        BooleanQuery.Builder query = new BooleanQuery.Builder();
        BooleanQuery.Builder anyTerm = new BooleanQuery.Builder();
        queryTerms.forEach((term, weight) -> {
            Query matches = new TermQuery(new Term(TEXT, term));
            anyTerm.add(weight == 1f ? matches : new BoostQuery(matches, weight), BooleanClause.Occur.SHOULD);
        });
        query.add(anyTerm.build(), BooleanClause.Occur.MUST);
        scope.documents().ifPresent(ids -> query.add(new TermInSetQuery(DOCUMENT,
                ids.stream().map(BytesRef::new).toList()), BooleanClause.Occur.FILTER));
        scope.excluded().forEach(id -> query.add(new TermQuery(new Term(DOCUMENT, id)),
                BooleanClause.Occur.MUST_NOT));
        try {
            Optional<IndexSearcher> scoped = ScopedStatistics.searcher(snapshot, scope.excluded());
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
