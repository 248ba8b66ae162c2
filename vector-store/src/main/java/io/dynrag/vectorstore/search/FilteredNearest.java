package io.dynrag.vectorstore.search;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.index.DistanceType;
import com.lancedb.lance.ipc.Query;
import com.lancedb.lance.ipc.ScanOptions;
import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.dataset.ChunkTable;
import io.dynrag.vectorstore.dataset.Scans;
import io.dynrag.vectorstore.dataset.WriterFence;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.stream.Collectors;

/**
 * Nearest neighbours among the rows a filtering {@link SearchScope} keeps, exactly as if the other
 * rows did not exist. This Lance version applies a filter only after the neighbours are chosen, so
 * the filter is never handed to a neighbour search: when the filter keeps few rows they are read
 * and compared with the query one by one (exact); when it keeps many, the vector index is asked for
 * as many more neighbours as the filter will drop, and again for more until {@code k} of them pass
 * (as exact as a search without a filter). Compared one by one, only the winners' texts are read;
 * from the index, texts come with the neighbours as in a search without a filter.
 */
final class FilteredNearest {

    /** Neighbours asked for beyond what the kept share predicts, so one search usually suffices. */
    private static final double OVER_FETCH = 2.0;

    private static final Comparator<Candidate> BEST_FIRST = Comparator.comparingDouble(Candidate::score).reversed()
            .thenComparing(Candidate::documentId)
            .thenComparingInt(Candidate::chunkIndex);

    private final DocumentRows documentRows;
    private final KeptVectors keptVectors;

    FilteredNearest(DocumentRows documentRows, KeptVectors keptVectors) {
        this.documentRows = documentRows;
        this.keptVectors = keptVectors;
    }

    /** A row's keys and score, and its text when it was read with them. */
    private record Candidate(String documentId, int docVersion, int chunkIndex, Integer page, String text,
                             double score) {
    }

    List<ChunkMatch> search(Dataset dataset, float[] query, int k, SearchScope scope, IndexSearch indexSearch) {
        DocumentRows.Directory directory = documentRows.of(dataset);
        long kept = directory.kept(scope);
        if (kept <= 0) {
            return List.of();
        }
        ScanOptions.Builder keptRows = new ScanOptions.Builder()
                .columns(List.of(ChunkTable.DOCUMENT_ID, ChunkTable.DOC_VERSION, ChunkTable.CHUNK_INDEX,
                        ChunkTable.PAGE, ChunkTable.VECTOR))
                .filter(filterOf(scope));
        scope.documents().ifPresent(ids -> keptRows.fragmentIds(directory.fragmentsOf(ids)));
        List<Candidate> best = kept <= indexSearch.filteredExactRows() || dataset.listIndexes().isEmpty()
                ? comparedInMemory(dataset, directory, query, k, scope)
                        .orElseGet(() -> compared(dataset, query, k, keptRows.build()))
                : overFetched(dataset, query, k, scope, keptRows.build(), kept, directory.total(), indexSearch);
        List<ChunkMatch> matches = best.stream()
                .map(candidate -> new ChunkMatch(candidate.documentId(), candidate.docVersion(), candidate.chunkIndex(),
                        candidate.text(), candidate.page(), candidate.score()))
                .toList();
        // Texts the search read with the rows (over-fetching) are kept; the others are read for the winners alone.
        return ChunkTexts.of(dataset, matches, directory);
    }

    /**
     * Every kept row's vector compared with the query, the rows read from memory ({@link KeptVectors});
     * empty when they are not all there (they are then read into memory in the background, for later
     * searches), and for scopes that name no documents (only excluded ones).
     */
    private Optional<List<Candidate>> comparedInMemory(Dataset dataset, DocumentRows.Directory directory,
                                                       float[] query, int k, SearchScope scope) {
        if (scope.documents().isEmpty()) {
            return Optional.empty();
        }
        List<String> documents = scope.documents().get().stream()
                .filter(id -> !scope.excluded().contains(id) && directory.rows().containsKey(id))
                .toList();
        int dimensions = query.length;
        Optional<List<KeptVectors.Rows>> rows = keptVectors.rowsOf(dataset, directory, documents, dimensions);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        PriorityQueue<Candidate> worstFirst = new PriorityQueue<>(BEST_FIRST.reversed());
        float queryNorm = (float) Math.sqrt(squaredNorm(query, 0, dimensions));
        for (KeptVectors.Rows ofDocument : rows.get()) {
            for (int i = 0; i < ofDocument.count(); i++) {
                int offset = i * dimensions;
                float norm = (float) Math.sqrt(squaredNorm(ofDocument.vectors(), offset, dimensions));
                double score = norm == 0 ? 0 : dot(ofDocument.vectors(), offset, query, dimensions) / (queryNorm * norm);
                if (worstFirst.size() < k || score >= worstFirst.peek().score()) {
                    keepIfBetter(worstFirst, k, new Candidate(ofDocument.documentId(), ofDocument.docVersions()[i],
                            ofDocument.chunkIndexes()[i], ofDocument.pages()[i], null, score));
                }
            }
        }
        List<Candidate> best = new ArrayList<>(worstFirst);
        best.sort(BEST_FIRST);
        return Optional.of(best);
    }

    private static void keepIfBetter(PriorityQueue<Candidate> worstFirst, int k, Candidate candidate) {
        if (worstFirst.size() < k) {
            worstFirst.add(candidate);
        } else if (BEST_FIRST.compare(candidate, worstFirst.peek()) < 0) {
            worstFirst.poll();
            worstFirst.add(candidate);
        }
    }

    /** Every kept row's vector compared with the query. */
    private static List<Candidate> compared(Dataset dataset, float[] query, int k, ScanOptions scan) {
        PriorityQueue<Candidate> worstFirst = new PriorityQueue<>(BEST_FIRST.reversed());
        float queryNorm = (float) Math.sqrt(squaredNorm(query, 0, query.length));
        int dimensions = query.length;
        Scans.scanBatches(dataset, scan, batch -> {
            float[] values = ChunkTable.vectors(batch, dimensions);
            for (int i = 0; i < batch.getRowCount(); i++) {
                int offset = i * dimensions;
                float norm = (float) Math.sqrt(squaredNorm(values, offset, dimensions));
                // The cosine similarity in single precision, like the distance the unfiltered search reports.
                double score = norm == 0 ? 0 : dot(values, offset, query, dimensions) / (queryNorm * norm);
                // Most rows score below the k kept so far: their keys are never read (a string each).
                if (worstFirst.size() == k && score < worstFirst.peek().score()) {
                    continue;
                }
                keepIfBetter(worstFirst, k, new Candidate(ChunkTable.string(batch, ChunkTable.DOCUMENT_ID, i),
                        ChunkTable.integer(batch, ChunkTable.DOC_VERSION, i),
                        ChunkTable.integer(batch, ChunkTable.CHUNK_INDEX, i),
                        ChunkTable.nullableInteger(batch, ChunkTable.PAGE, i), null, score));
            }
        });
        List<Candidate> best = new ArrayList<>(worstFirst);
        best.sort(BEST_FIRST);
        return best;
    }

    /** The dot product of {@code dimensions} values of {@code a} from {@code offset} with the first ones of {@code b}. */
    private static float dot(float[] a, int offset, float[] b, int dimensions) {
        float sum = 0;
        for (int d = 0; d < dimensions; d++) {
            sum += a[offset + d] * b[d];
        }
        return sum;
    }

    private static float squaredNorm(float[] a, int offset, int dimensions) {
        float sum = 0;
        for (int d = offset; d < offset + dimensions; d++) {
            sum += a[d] * a[d];
        }
        return sum;
    }

    /**
     * The vector index's neighbours that the scope keeps: asked for k divided by the kept share (and
     * twice that), then four times as many while fewer than k pass; compared one by one once that
     * would read most of the dataset anyway.
     */
    private static List<Candidate> overFetched(Dataset dataset, float[] query, int k, SearchScope scope,
                                               ScanOptions keptRows, long kept, long total, IndexSearch indexSearch) {
        long asked = (long) Math.ceil(k * OVER_FETCH * total / kept);
        while (asked < total / 2) {
            List<Candidate> passing = new ArrayList<>();
            // Re-ranked by their exact distance: as many of the index's candidates as leave refineFactor x k
            // that pass the filter, so the kept rows are re-ranked as deeply as an unfiltered search re-ranks
            // its own; re-ranking refineFactor x asked would read a vector for every dropped row as well.
            int refine = (int) Math.max(1, Math.ceil((double) indexSearch.refineFactor() * k * total / kept / asked));
            Query knn = new Query.Builder()
                    .setColumn(ChunkTable.VECTOR)
                    .setKey(query)
                    .setK((int) asked)
                    .setDistanceType(DistanceType.Cosine)
                    .setNprobes(indexSearch.probes())
                    .setRefineFactor(refine)
                    .build();
            // Texts come with the neighbours, as in an unfiltered search: cheaper than a later scan for the winners'.
            ScanOptions scan = new ScanOptions.Builder()
                    .nearest(knn)
                    .columns(List.of(ChunkTable.DOCUMENT_ID, ChunkTable.DOC_VERSION, ChunkTable.CHUNK_INDEX,
                            ChunkTable.TEXT, ChunkTable.PAGE, ChunkTable.DISTANCE))
                    .build();
            Scans.scan(dataset, scan, (batch, i) -> {
                String documentId = ChunkTable.string(batch, ChunkTable.DOCUMENT_ID, i);
                if (scope.keeps(documentId) && !WriterFence.isFence(documentId)) {
                    passing.add(new Candidate(documentId, ChunkTable.integer(batch, ChunkTable.DOC_VERSION, i),
                            ChunkTable.integer(batch, ChunkTable.CHUNK_INDEX, i),
                            ChunkTable.nullableInteger(batch, ChunkTable.PAGE, i),
                            ChunkTable.string(batch, ChunkTable.TEXT, i),
                            1.0 - ChunkTable.float4(batch, ChunkTable.DISTANCE, i)));
                }
            });
            if (passing.size() >= k) {
                passing.sort(BEST_FIRST);
                return passing.subList(0, k);
            }
            asked *= 4;
        }
        return compared(dataset, query, k, keptRows);
    }

    /** The scope as a Lance SQL condition on the rows' documents. */
    static String filterOf(SearchScope scope) {
        List<String> conditions = new ArrayList<>();
        conditions.add(WriterFence.NOT_FENCE);
        scope.documents().ifPresent(ids -> conditions.add(ChunkTable.DOCUMENT_ID + " IN (" + ids.stream().sorted()
                .map(Scans::sqlString).collect(Collectors.joining(", ")) + ")"));
        if (!scope.excluded().isEmpty()) {
            conditions.add(ChunkTable.DOCUMENT_ID + " NOT IN (" + scope.excluded().stream().sorted()
                    .map(Scans::sqlString).collect(Collectors.joining(", ")) + ")");
        }
        return String.join(" AND ", conditions);
    }
}
