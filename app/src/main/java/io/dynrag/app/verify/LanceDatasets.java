package io.dynrag.app.verify;

import io.dynrag.vectorstore.LanceChunkStore;
import io.dynrag.vectorstore.dataset.ChunkRow;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The tenant's datasets in a {@link LanceChunkStore}, their latest versions pinned when this is made. */
final class LanceDatasets implements ChunkDatasets {

    private final LanceChunkStore store;
    private final String customerId;
    private final Map<String, Long> pinned;
    private final Map<String, Map<String, Integer>> rowsPerDocument = new HashMap<>();
    private final Map<String, Set<Long>> versions = new HashMap<>();

    private LanceDatasets(LanceChunkStore store, String customerId, Map<String, Long> pinned) {
        this.store = store;
        this.customerId = customerId;
        this.pinned = pinned;
    }

    /** @param modelsOfEvents models the events name, whose datasets should exist */
    static LanceDatasets pin(LanceChunkStore store, String customerId, Set<String> modelsOfEvents) {
        Set<String> models = new TreeSet<>(store.modelsOf(customerId));
        models.addAll(modelsOfEvents);
        Map<String, Long> pinned = new TreeMap<>();
        for (String model : models) {
            store.latestVersion(customerId, model).ifPresent(version -> pinned.put(model, version));
        }
        return new LanceDatasets(store, customerId, pinned);
    }

    @Override
    public Set<String> models() {
        return pinned.keySet();
    }

    @Override
    public OptionalLong latestVersion(String model) {
        Long version = pinned.get(model);
        return version == null ? OptionalLong.empty() : OptionalLong.of(version);
    }

    @Override
    public boolean hasVersion(String model, long version) {
        if (versions.computeIfAbsent(model, this::listVersions).contains(version)) {
            return true;
        }
        // A version committed after the list was read.
        versions.put(model, listVersions(model));
        return versions.get(model).contains(version);
    }

    @Override
    public boolean cleanedUp(String model, long version) {
        return versions.computeIfAbsent(model, this::listVersions).stream().allMatch(kept -> kept > version)
                && !versions.get(model).isEmpty();
    }

    @Override
    public Map<String, Integer> rowsPerDocument(String model) {
        if (!pinned.containsKey(model)) {
            return Map.of();
        }
        return rowsPerDocument.computeIfAbsent(model,
                m -> store.rowsPerDocumentAsOf(customerId, m, pinned.get(m)));
    }

    @Override
    public List<ChunkRow> rows(String model, String documentId, long version) {
        return store.documentRowsAsOf(customerId, model, documentId, version);
    }

    private Set<Long> listVersions(String model) {
        return Set.copyOf(store.versions(customerId, model));
    }
}
