package io.dynrag.pipeline.testing;

import io.dynrag.pipeline.ingestion.DocumentSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** Uploaded document bytes in memory, for tests. */
public final class InMemoryDocumentSource implements DocumentSource {

    private final NavigableMap<String, byte[]> objects = new ConcurrentSkipListMap<>();

    public void put(String key, String text) {
        put(key, text.getBytes(StandardCharsets.UTF_8));
    }

    public void put(String key, byte[] bytes) {
        objects.put(key, bytes.clone());
    }

    @Override
    public byte[] read(String key, long maxBytes) {
        byte[] bytes = objects.get(key);
        if (bytes == null) {
            throw new MissingObjectException(key);
        }
        if (bytes.length > maxBytes) {
            throw new DocumentTooLargeException(bytes.length, maxBytes);
        }
        return bytes.clone();
    }

    @Override
    public int deletePrefix(String prefix) {
        List<String> keys = keysUnder(prefix);
        keys.forEach(objects::remove);
        return keys.size();
    }

    /** The keys starting with {@code prefix}, in order. */
    public List<String> keysUnder(String prefix) {
        return objects.keySet().stream().filter(key -> key.startsWith(prefix)).toList();
    }
}
