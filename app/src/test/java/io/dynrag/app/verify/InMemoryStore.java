package io.dynrag.app.verify;

import io.dynrag.vectorstore.dataset.ChunkRow;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * Events, datasets and objects held in maps: the stored state a verification reads, set up
 * precisely by each test. Datasets keep every version, each the complete list of its rows.
 */
final class InMemoryStore implements EventHistory, UploadedObjects {

    final Map<String, List<Object>> events = new HashMap<>();
    final Map<String, List<String>> documentsOfCustomer = new HashMap<>();
    final Map<String, TreeMap<Long, List<ChunkRow>>> datasets = new TreeMap<>();
    final Map<String, byte[]> objects = new TreeMap<>();

    void append(String aggregateId, Object... payloads) {
        events.computeIfAbsent(aggregateId, id -> new ArrayList<>()).addAll(List.of(payloads));
    }

    /** Commits a new version of the model's dataset in which the document's rows are {@code rows}. */
    long replaceDocument(String model, String documentId, List<ChunkRow> rows) {
        TreeMap<Long, List<ChunkRow>> versions = datasets.computeIfAbsent(model, m -> new TreeMap<>());
        List<ChunkRow> next = new ArrayList<>(versions.isEmpty() ? List.of() : versions.lastEntry().getValue());
        next.removeIf(row -> row.documentId().equals(documentId));
        next.addAll(rows);
        long version = versions.isEmpty() ? 1 : versions.lastKey() + 1;
        versions.put(version, next);
        return version;
    }

    @Override
    public List<Object> eventsOf(String aggregateId) {
        return List.copyOf(events.getOrDefault(aggregateId, List.of()));
    }

    @Override
    public List<String> documentIdsOf(String customerId) {
        return documentsOfCustomer.getOrDefault(customerId, List.of());
    }

    @Override
    public Optional<StoredObject> find(String key) {
        return Optional.ofNullable(objects.get(key)).map(bytes -> new StoredObject(bytes.length, sha256(bytes)));
    }

    @Override
    public List<String> keysUnder(String prefix) {
        return objects.keySet().stream().filter(key -> key.startsWith(prefix)).toList();
    }

    /** The datasets with their current latest versions pinned. */
    ChunkDatasets pinned(Set<String> modelsOfEvents) {
        Map<String, Long> pinned = new TreeMap<>();
        datasets.forEach((model, versions) -> pinned.put(model, versions.lastKey()));
        return new ChunkDatasets() {
            @Override
            public Set<String> models() {
                return pinned.keySet();
            }

            @Override
            public OptionalLong latestVersion(String model) {
                return pinned.containsKey(model) ? OptionalLong.of(pinned.get(model)) : OptionalLong.empty();
            }

            @Override
            public boolean hasVersion(String model, long version) {
                return datasets.containsKey(model) && datasets.get(model).containsKey(version);
            }

            @Override
            public boolean cleanedUp(String model, long version) {
                return datasets.containsKey(model) && datasets.get(model).firstKey() > version;
            }

            @Override
            public Map<String, Integer> rowsPerDocument(String model) {
                Map<String, Integer> counts = new TreeMap<>();
                if (pinned.containsKey(model)) {
                    datasets.get(model).get(pinned.get(model))
                            .forEach(row -> counts.merge(row.documentId(), 1, Integer::sum));
                }
                return counts;
            }

            @Override
            public List<ChunkRow> rows(String model, String documentId, long version) {
                return datasets.get(model).get(version).stream().filter(row -> row.documentId().equals(documentId))
                        .sorted(Comparator.comparingInt(ChunkRow::chunkIndex)).toList();
            }
        };
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
