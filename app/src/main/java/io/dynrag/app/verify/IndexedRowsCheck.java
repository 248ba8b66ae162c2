package io.dynrag.app.verify;

import io.dynrag.domain.document.IndexingStats;
import io.dynrag.pipeline.chunking.StructuralChunker;
import io.dynrag.vectorstore.dataset.ChunkRow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Whether a document's rows in one dataset version are exactly what indexing one of its versions
 * recorded: as many rows as chunks, all of that version and model, chunk indexes 0..n-1 once
 * each, and every content hash the SHA-256 of its row's text.
 */
final class IndexedRowsCheck {

    /** Enough of a hash to tell two apart in a report line. */
    private static final int HASH_SHOWN = 12;

    private IndexedRowsCheck() {
    }

    /**
     * @param where names the dataset version the rows come from, e.g. "version 7 of dataset m"
     */
    static List<Finding> check(String documentId, int version, IndexingStats stats, List<ChunkRow> rows,
                               String where) {
        String subject = Finding.document(documentId, version);
        List<Finding> findings = new ArrayList<>();
        if (rows.size() != stats.chunks()) {
            findings.add(Finding.discrepancy(subject, where + " holds " + rows.size() + " rows, expected "
                    + stats.chunks() + " (the chunks recorded when it was indexed)"));
        }
        Map<Integer, Long> otherVersions = countBy(rows, ChunkRow::docVersion, v -> v != version);
        if (!otherVersions.isEmpty()) {
            findings.add(Finding.discrepancy(subject, where + " holds rows of " + describe(otherVersions, "v")
                    + ", expected only rows of v" + version));
        }
        Map<String, Long> otherModels = countBy(rows, ChunkRow::embeddingModel, m -> !m.equals(stats.model()));
        if (!otherModels.isEmpty()) {
            findings.add(Finding.discrepancy(subject, where + " holds rows embedded with "
                    + describe(otherModels, "") + ", expected " + stats.model()));
        }
        findings.addAll(chunkIndexes(subject, stats.chunks(), rows, where));
        for (ChunkRow row : rows) {
            String actual = StructuralChunker.sha256Hex(row.text());
            if (!actual.equals(row.contentHash())) {
                findings.add(Finding.discrepancy(subject, where + ": chunk " + row.chunkIndex() + " has content_hash "
                        + abbreviated(row.contentHash()) + ", but its text hashes to " + abbreviated(actual)));
            }
        }
        return findings;
    }

    private static List<Finding> chunkIndexes(String subject, int chunks, List<ChunkRow> rows, String where) {
        Map<Integer, Long> occurrences = countBy(rows, ChunkRow::chunkIndex, i -> true);
        SortedSet<Integer> missing = new TreeSet<>();
        for (int index = 0; index < chunks; index++) {
            if (!occurrences.containsKey(index)) {
                missing.add(index);
            }
        }
        SortedSet<Integer> unexpected = occurrences.keySet().stream().filter(i -> i < 0 || i >= chunks)
                .collect(Collectors.toCollection(TreeSet::new));
        SortedSet<Integer> repeated = occurrences.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
        List<Finding> findings = new ArrayList<>();
        if (!missing.isEmpty()) {
            findings.add(Finding.discrepancy(subject, where + " lacks chunk indexes " + ranges(missing)
                    + " of 0.." + (chunks - 1)));
        }
        if (!unexpected.isEmpty()) {
            findings.add(Finding.discrepancy(subject, where + " holds chunk indexes " + ranges(unexpected)
                    + " outside 0.." + (chunks - 1)));
        }
        if (!repeated.isEmpty()) {
            findings.add(Finding.discrepancy(subject, where + " holds chunk indexes " + ranges(repeated)
                    + " more than once"));
        }
        return findings;
    }

    private static <K> Map<K, Long> countBy(List<ChunkRow> rows, Function<ChunkRow, K> key,
                                            Predicate<K> keep) {
        return rows.stream().map(key).filter(keep)
                .collect(Collectors.groupingBy(k -> k, TreeMap::new, Collectors.counting()));
    }

    /** {@code v1 (3 rows), v4 (1 row)}. */
    private static <K> String describe(Map<K, Long> counts, String prefix) {
        return counts.entrySet().stream()
                .map(e -> prefix + e.getKey() + " (" + e.getValue() + (e.getValue() == 1 ? " row)" : " rows)"))
                .collect(Collectors.joining(", "));
    }

    /** {@code 2-5, 9}: runs of consecutive indexes shown as ranges, so a large gap stays one short line. */
    static String ranges(SortedSet<Integer> indexes) {
        List<String> parts = new ArrayList<>();
        Integer start = null;
        Integer previous = null;
        for (int index : indexes) {
            if (previous != null && index == previous + 1) {
                previous = index;
                continue;
            }
            if (start != null) {
                parts.add(range(start, previous));
            }
            start = index;
            previous = index;
        }
        if (start != null) {
            parts.add(range(start, previous));
        }
        return String.join(", ", parts);
    }

    private static String range(int start, int end) {
        return start == end ? Integer.toString(start) : start + "-" + end;
    }

    private static String abbreviated(String hash) {
        return hash.length() <= HASH_SHOWN ? hash : hash.substring(0, HASH_SHOWN) + "…";
    }
}
