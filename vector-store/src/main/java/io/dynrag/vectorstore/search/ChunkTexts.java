package io.dynrag.vectorstore.search;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.ScanOptions;
import io.dynrag.vectorstore.dataset.ChunkTable;
import io.dynrag.vectorstore.dataset.Scans;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The texts of a few matched rows, read in one scan of only the fragments holding their documents: a
 * filtered search ranks the kept rows by their keys and vectors, and reads the texts of the winners.
 * By their keys, not their row addresses: in this Lance release, reading rows by the row ids or
 * addresses a neighbour search returns ({@code Dataset.take}, a filter on {@code _rowaddr}) panicked
 * in native code when tried, which aborts the whole process.
 */
final class ChunkTexts {

    private ChunkTexts() {
    }

    /**
     * The matches with the texts of their rows in {@code dataset}; a match whose row (document, chunk
     * index and document version) the dataset does not hold keeps the text it had.
     */
    static List<ChunkMatch> of(Dataset dataset, List<ChunkMatch> matches, DocumentRows.Directory directory) {
        List<ChunkMatch> missing = matches.stream().filter(match -> match.text() == null).toList();
        if (missing.isEmpty()) {
            return matches;
        }
        String rows = missing.stream()
                .collect(Collectors.groupingBy(ChunkMatch::documentId, Collectors.mapping(
                        match -> String.valueOf(match.chunkIndex()), Collectors.joining(", "))))
                .entrySet().stream()
                .map(entry -> "(" + Scans.isDocument(entry.getKey()) + " AND " + ChunkTable.CHUNK_INDEX + " IN ("
                        + entry.getValue() + "))")
                .collect(Collectors.joining(" OR "));
        Map<String, String> texts = new HashMap<>();
        Scans.scan(dataset, new ScanOptions.Builder()
                        .columns(List.of(ChunkTable.DOCUMENT_ID, ChunkTable.DOC_VERSION, ChunkTable.CHUNK_INDEX,
                                ChunkTable.TEXT))
                        .filter(rows)
                        .fragmentIds(directory.fragmentsOf(missing.stream().map(ChunkMatch::documentId).toList()))
                        .build(),
                (batch, i) -> texts.put(key(ChunkTable.string(batch, ChunkTable.DOCUMENT_ID, i),
                                ChunkTable.integer(batch, ChunkTable.CHUNK_INDEX, i),
                                ChunkTable.integer(batch, ChunkTable.DOC_VERSION, i)),
                        ChunkTable.string(batch, ChunkTable.TEXT, i)));
        return matches.stream()
                .map(match -> match.text() != null ? match : new ChunkMatch(match.documentId(), match.docVersion(),
                        match.chunkIndex(), texts.get(key(match.documentId(), match.chunkIndex(), match.docVersion())),
                        match.page(), match.score()))
                .toList();
    }

    private static String key(String documentId, int chunkIndex, int docVersion) {
        return chunkIndex + "/" + docVersion + "/" + documentId;
    }
}
