package io.dynrag.pipeline.testing;

import io.dynrag.vectorstore.ChunkIndex;
import io.dynrag.vectorstore.dataset.ChunkRow;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The chunk index in memory, for tests: one dataset per tenant and model, each a list of versions
 * (every write adds one, the earlier stay readable), as the Lance store keeps them.
 */
public final class InMemoryChunkIndex implements ChunkIndex {

    /** Datasets by customer, then by model; a dataset's versions hold each document's rows. */
    private final Map<String, Map<String, TreeMap<Long, Map<String, List<ChunkRow>>>>> tenants = new HashMap<>();
    private long lastVersion;

    @Override
    public synchronized Map<String, float[]> vectorsByContentHash(String customerId, String model, String documentId) {
        Map<String, float[]> vectors = new LinkedHashMap<>();
        documentRows(customerId, model, documentId).forEach(row -> vectors.putIfAbsent(row.contentHash(), row.vector()));
        return vectors;
    }

    @Override
    public synchronized long replaceDocument(String customerId, String model, String documentId, List<ChunkRow> rows) {
        for (ChunkRow row : rows) {
            if (!row.documentId().equals(documentId) || !row.embeddingModel().equals(model)) {
                throw new IllegalArgumentException("row " + row + " does not belong to " + documentId + " of " + model);
            }
        }
        TreeMap<Long, Map<String, List<ChunkRow>>> versions = tenants.computeIfAbsent(customerId, c -> new HashMap<>())
                .computeIfAbsent(model, m -> new TreeMap<>());
        Map<String, List<ChunkRow>> next = new HashMap<>(versions.isEmpty() ? Map.of() : versions.lastEntry().getValue());
        if (rows.isEmpty()) {
            next.remove(documentId);
        } else {
            next.put(documentId, rows.stream().sorted(Comparator.comparingInt(ChunkRow::chunkIndex)).toList());
        }
        // Versions only grow, also across datasets, so a version taken before a removal is always smaller.
        versions.put(++lastVersion, Map.copyOf(next));
        return lastVersion;
    }

    @Override
    public synchronized long removeDocument(String customerId, String documentId) {
        long removed = 0;
        for (String model : List.copyOf(tenants.getOrDefault(customerId, Map.of()).keySet())) {
            if (!documentRows(customerId, model, documentId).isEmpty()) {
                removed = Math.max(removed, replaceDocument(customerId, model, documentId, List.of()));
            }
        }
        return removed;
    }

    @Override
    public synchronized boolean dropTenant(String customerId) {
        return tenants.remove(customerId) != null;
    }

    /** The document's rows in the latest version, by chunk index. */
    public synchronized List<ChunkRow> documentRows(String customerId, String model, String documentId) {
        OptionalLong latest = latestVersion(customerId, model);
        return latest.isEmpty() ? List.of() : documentRowsAsOf(customerId, model, documentId, latest.getAsLong());
    }

    public synchronized List<ChunkRow> documentRowsAsOf(String customerId, String model, String documentId,
                                                        long version) {
        Map<String, List<ChunkRow>> rows = dataset(customerId, model).get(version);
        if (rows == null) {
            throw new IllegalArgumentException("no dataset version " + version);
        }
        return new ArrayList<>(rows.getOrDefault(documentId, List.of()));
    }

    public synchronized OptionalLong latestVersion(String customerId, String model) {
        TreeMap<Long, Map<String, List<ChunkRow>>> versions = dataset(customerId, model);
        return versions.isEmpty() ? OptionalLong.empty() : OptionalLong.of(versions.lastKey());
    }

    private TreeMap<Long, Map<String, List<ChunkRow>>> dataset(String customerId, String model) {
        return tenants.getOrDefault(customerId, Map.of()).getOrDefault(model, new TreeMap<>());
    }
}
