package io.dynrag.vectorstore.search;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.Fragment;
import com.lancedb.lance.FragmentMetadata;
import com.lancedb.lance.fragment.DataFile;
import com.lancedb.lance.ipc.ScanOptions;
import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.dataset.ChunkTable;
import io.dynrag.vectorstore.dataset.Scans;
import io.dynrag.vectorstore.dataset.WriterFence;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which documents each fragment of a dataset holds, and how many rows: what lets a filtered search
 * count the rows its filter keeps and read only the fragments holding them, instead of scanning
 * every row's document id for each search. Kept per dataset in memory, by each fragment's state
 * (its data and deletion files), so a new version reads only the fragments its write added or
 * changed; derived from the rows, so losing it costs one read of the document ids.
 */
final class DocumentRows {

    private final int maxDatasets;
    /** Per dataset URI, the fragments of the version last asked about; least recently used first. */
    private final Map<String, Known> byDataset = new LinkedHashMap<>(16, 0.75f, true);

    DocumentRows(int maxDatasets) {
        this.maxDatasets = maxDatasets;
    }

    /**
     * A fragment as one version has it: another deletion file is another state.
     *
     * @param dataFiles its data files, which never change: what was read of them stays true
     */
    private record FragmentState(int id, String signature, String dataFiles) {
    }

    /**
     * The documents of each fragment of the version last asked about, and its directory: searches of
     * an unchanged version reuse the directory instead of assembling it again for every search.
     */
    private record Known(Map<FragmentState, Map<String, Integer>> fragments, Directory directory) {
    }

    /**
     * The documents of one dataset version: their rows and the fragments holding them.
     *
     * @param rowsByFragment per fragment id, its documents' rows in this version
     * @param dataFiles      per fragment id, its data files
     */
    record Directory(Map<String, Integer> rows, Map<String, Set<Integer>> fragments, long total,
                     Map<Integer, Map<String, Integer>> rowsByFragment, Map<Integer, String> dataFiles) {

        /** How many rows the scope keeps. */
        long kept(SearchScope scope) {
            long kept = scope.documents().map(ids -> ids.stream().mapToLong(id -> rows.getOrDefault(id, 0)).sum())
                    .orElse(total);
            for (String excluded : scope.excluded()) {
                if (scope.documents().map(ids -> ids.contains(excluded)).orElse(true)) {
                    kept -= rows.getOrDefault(excluded, 0);
                }
            }
            return kept;
        }

        /** The fragments holding rows of the documents, in id order. */
        List<Integer> fragmentsOf(Collection<String> documentIds) {
            Set<Integer> holding = new TreeSet<>();
            documentIds.forEach(id -> holding.addAll(fragments.getOrDefault(id, Set.of())));
            return List.copyOf(holding);
        }
    }

    Directory of(Dataset dataset) {
        String uri = dataset.uri();
        Known known;
        synchronized (this) {
            known = byDataset.get(uri);
        }
        Map<FragmentState, Map<String, Integer>> knownFragments = known == null ? Map.of() : known.fragments();
        Map<FragmentState, Map<String, Integer>> now = new HashMap<>();
        for (Fragment fragment : dataset.getFragments()) {
            FragmentMetadata metadata = fragment.metadata();
            FragmentState state = new FragmentState(fragment.getId(), metadata.toString(), metadata.getFiles().stream()
                    .map(DataFile::getPath).collect(Collectors.joining(",")));
            Map<String, Integer> rows = knownFragments.get(state);
            now.put(state, rows != null ? rows : rowsOf(dataset, fragment.getId()));
        }
        if (known != null && known.fragments().keySet().equals(now.keySet())) {
            return known.directory();
        }
        Directory directory = directoryOf(now);
        synchronized (this) {
            byDataset.put(uri, new Known(now, directory));
            if (byDataset.size() > maxDatasets) {
                byDataset.remove(byDataset.keySet().iterator().next());
            }
        }
        return directory;
    }

    private static Directory directoryOf(Map<FragmentState, Map<String, Integer>> fragmentRows) {
        Map<String, Integer> rows = new HashMap<>();
        Map<String, Set<Integer>> fragments = new HashMap<>();
        Map<Integer, Map<String, Integer>> rowsByFragment = new HashMap<>();
        Map<Integer, String> dataFiles = new HashMap<>();
        long total = 0;
        for (Map.Entry<FragmentState, Map<String, Integer>> fragment : fragmentRows.entrySet()) {
            rowsByFragment.put(fragment.getKey().id(), fragment.getValue());
            dataFiles.put(fragment.getKey().id(), fragment.getKey().dataFiles());
            for (Map.Entry<String, Integer> document : fragment.getValue().entrySet()) {
                rows.merge(document.getKey(), document.getValue(), Integer::sum);
                fragments.computeIfAbsent(document.getKey(), id -> new TreeSet<>()).add(fragment.getKey().id());
                total += document.getValue();
            }
        }
        return new Directory(Map.copyOf(rows), Map.copyOf(fragments), total, Map.copyOf(rowsByFragment),
                Map.copyOf(dataFiles));
    }

    /** Forgets the datasets under {@code uriPrefix}, about to be removed. */
    synchronized void forget(String uriPrefix) {
        byDataset.keySet().removeIf(uri -> uri.startsWith(uriPrefix));
    }

    private static Map<String, Integer> rowsOf(Dataset dataset, int fragmentId) {
        Map<String, Integer> rows = new HashMap<>();
        Scans.scan(dataset, new ScanOptions.Builder().fragmentIds(List.of(fragmentId))
                        .columns(List.of(ChunkTable.DOCUMENT_ID)).build(),
                (batch, i) -> rows.merge(ChunkTable.string(batch, ChunkTable.DOCUMENT_ID, i), 1, Integer::sum));
        rows.remove(WriterFence.DOCUMENT_ID);
        return Map.copyOf(rows);
    }
}
