package io.dynrag.vectorstore.keyword;

import com.lancedb.lance.Dataset;
import io.dynrag.domain.search.SearchScope;
import io.dynrag.vectorstore.dataset.Datasets;
import io.dynrag.vectorstore.search.ChunkMatch;
import io.dynrag.vectorstore.search.NearestChunks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Keyword search (BM25 over {@link Terms}) of the rows a {@link SearchScope} names: the same rows,
 * versions and filters as the nearest-neighbour search, because each keyword index is derived from
 * one dataset version's rows ({@link KeywordIndex}). The indexes are a cache in memory, rebuilt from
 * the Lance rows whenever they are missing: one per dataset for searches of the latest version,
 * caught up with each newer version it sees, and one per past version searched. At most
 * {@value #MAX_OPEN} are kept, holding at most {@value #MAX_BYTES} bytes together (one larger is
 * kept alone); the least recently used are dropped first.
 */
public final class KeywordChunks implements AutoCloseable {

    static final int MAX_OPEN = 32;
    static final long MAX_BYTES = 512L << 20;
    private static final String LATEST = "@latest";

    private final Datasets datasets;
    private final NearestChunks nearest;
    private final long maxBytes;
    private final Map<String, KeywordIndex> open = new LinkedHashMap<>(16, 0.75f, true);

    /** @param nearest whose kept handles of the latest versions this search reads too */
    public KeywordChunks(Datasets datasets, NearestChunks nearest) {
        this(datasets, nearest, MAX_BYTES);
    }

    KeywordChunks(Datasets datasets, NearestChunks nearest, long maxBytes) {
        this.datasets = datasets;
        this.nearest = nearest;
        this.maxBytes = maxBytes;
    }

    /**
     * The {@code k} chunks that score best for the query's terms, best first, among the rows
     * {@code scope} names; each match's score is its BM25 score. Empty when the query has no terms
     * (only stop words or punctuation) or the tenant has no dataset for the model.
     *
     * @throws IllegalArgumentException if the scope names a dataset version that does not exist
     */
    public List<ChunkMatch> search(String customerId, String model, String query, int k, SearchScope scope) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be positive, was " + k);
        }
        Map<String, Float> terms = Terms.ofQuery(query);
        if (terms.isEmpty()) {
            return List.of();
        }
        OptionalLong version = scope.datasetVersion().isPresent()
                ? OptionalLong.of(Datasets.checkVersion(scope.datasetVersion().getAsLong())) : OptionalLong.empty();
        String uri = datasets.paths().datasetUri(customerId, model);
        String key = uri + (version.isPresent() ? "@" + version.getAsLong() : LATEST);
        Function<Dataset, Optional<KeywordIndex.Snapshot>> catchUp = dataset -> {
            while (true) {
                KeywordIndex index = indexOf(key);
                Optional<KeywordIndex.Snapshot> caughtUp;
                try {
                    caughtUp = index.catchUp(dataset, version.isEmpty());
                } catch (RuntimeException e) {
                    // Half caught up, it no longer mirrors any version: the next search builds it anew.
                    drop(key, index);
                    throw e;
                }
                if (caughtUp.isPresent()) {
                    return caughtUp;
                }
            }
        };
        Optional<KeywordIndex.Snapshot> snapshot = version.isPresent()
                ? datasets.read(customerId, model, version, Optional.empty(), catchUp)
                : nearest.withLatest(customerId, model, Optional.empty(), catchUp);
        if (snapshot.isEmpty()) {
            return List.of();
        }
        dropOverBudget(key);
        try (KeywordIndex.Snapshot searched = snapshot.get()) {
            return KeywordIndex.search(searched, terms, k, scope);
        }
    }

    private KeywordIndex indexOf(String key) {
        KeywordIndex evicted = null;
        KeywordIndex index;
        synchronized (open) {
            index = open.get(key);
            if (index == null) {
                index = new KeywordIndex();
                open.put(key, index);
                if (open.size() > MAX_OPEN) {
                    String eldest = open.keySet().iterator().next();
                    evicted = open.remove(eldest);
                }
            }
        }
        if (evicted != null) {
            evicted.close();
        }
        return index;
    }

    /** Drops the least recently used indexes, never {@code keep}, while they hold more than allowed. */
    private void dropOverBudget(String keep) {
        List<KeywordIndex> dropped = new ArrayList<>();
        synchronized (open) {
            long held = open.values().stream().mapToLong(KeywordIndex::bytes).sum();
            var eldestFirst = open.entrySet().iterator();
            while (held > maxBytes && eldestFirst.hasNext()) {
                var entry = eldestFirst.next();
                if (!entry.getKey().equals(keep)) {
                    held -= entry.getValue().bytes();
                    dropped.add(entry.getValue());
                    eldestFirst.remove();
                }
            }
        }
        dropped.forEach(KeywordIndex::close);
    }

    private void drop(String key, KeywordIndex index) {
        synchronized (open) {
            open.remove(key, index);
        }
        index.close();
    }

    /** How many indexes are kept. */
    int kept() {
        synchronized (open) {
            return open.size();
        }
    }

    /** Drops the indexes of datasets under {@code uriPrefix}, about to be removed. */
    public void forget(String uriPrefix) {
        List<KeywordIndex> forgotten = new ArrayList<>();
        synchronized (open) {
            open.entrySet().removeIf(entry -> entry.getKey().startsWith(uriPrefix) && forgotten.add(entry.getValue()));
        }
        forgotten.forEach(KeywordIndex::close);
    }

    @Override
    public void close() {
        List<KeywordIndex> all;
        synchronized (open) {
            all = List.copyOf(open.values());
            open.clear();
        }
        all.forEach(KeywordIndex::close);
    }
}
