package io.dynrag.vectorstore.search;

import com.lancedb.lance.Dataset;
import org.apache.arrow.memory.BufferAllocator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * Dataset handles kept open between searches of the latest version. A handle opened afresh starts
 * with empty caches, so every search through one would read the vector index from storage again;
 * a kept handle reads it once. Before each use the handle is moved to the latest committed
 * version when a writer (in this process or another) has added one; moving keeps the caches of
 * what did not change, such as an index built earlier.
 *
 * <p>Many searches use one handle at the same time; moving it to a newer version and closing it
 * wait until they are done. At most {@code capacity} handles stay open: the least recently used
 * is closed when another is needed.
 */
final class LatestDatasets implements AutoCloseable {

    /** Opens the latest version of a dataset, empty when it does not exist. */
    interface Opener {
        Optional<Dataset> open(BufferAllocator memory, String uri);
    }

    private final BufferAllocator allocator;
    private final Opener opener;
    private final int capacity;
    private final Map<String, Entry> open = new HashMap<>();
    private final AtomicLong clock = new AtomicLong();

    LatestDatasets(BufferAllocator allocator, Opener opener, int capacity) {
        this.allocator = allocator;
        this.opener = opener;
        this.capacity = capacity;
    }

    private static final class Entry {
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        final BufferAllocator memory;
        final Dataset dataset;
        volatile long lastUsed;
        boolean closed;

        Entry(BufferAllocator memory, Dataset dataset) {
            this.memory = memory;
            this.dataset = dataset;
        }
    }

    /** Runs {@code action} on the latest version of the dataset; {@code absent} when it does not exist. */
    <T> T withLatest(String uri, T absent, Function<Dataset, T> action) {
        while (true) {
            Optional<Entry> found = entryOf(uri);
            if (found.isEmpty()) {
                return absent;
            }
            Entry entry = found.get();
            boolean current;
            entry.lock.readLock().lock();
            try {
                if (entry.closed) {
                    continue;
                }
                current = entry.dataset.latestVersion() == entry.dataset.version();
            } finally {
                entry.lock.readLock().unlock();
            }
            if (!current) {
                moveToLatest(entry);
            }
            entry.lock.readLock().lock();
            try {
                if (entry.closed) {
                    continue;
                }
                entry.lastUsed = clock.incrementAndGet();
                return action.apply(entry.dataset);
            } finally {
                entry.lock.readLock().unlock();
            }
        }
    }

    private static void moveToLatest(Entry entry) {
        entry.lock.writeLock().lock();
        try {
            if (!entry.closed && entry.dataset.latestVersion() != entry.dataset.version()) {
                entry.dataset.checkoutLatest();
            }
        } finally {
            entry.lock.writeLock().unlock();
        }
    }

    private Optional<Entry> entryOf(String uri) {
        Entry evicted = null;
        try {
            synchronized (open) {
                Entry entry = open.get(uri);
                if (entry != null) {
                    return Optional.of(entry);
                }
                BufferAllocator memory = allocator.newChildAllocator("latest " + uri, 0, Long.MAX_VALUE);
                Optional<Dataset> dataset;
                try {
                    dataset = opener.open(memory, uri);
                } catch (RuntimeException e) {
                    memory.close();
                    throw e;
                }
                if (dataset.isEmpty()) {
                    memory.close();
                    return Optional.empty();
                }
                if (open.size() >= capacity) {
                    String oldest = open.entrySet().stream()
                            .min(Comparator.comparingLong(e -> e.getValue().lastUsed)).orElseThrow().getKey();
                    evicted = open.remove(oldest);
                }
                Entry created = new Entry(memory, dataset.get());
                created.lastUsed = clock.incrementAndGet();
                open.put(uri, created);
                return Optional.of(created);
            }
        } finally {
            // Closing waits for the searches still using the handle; other datasets need not wait with it.
            if (evicted != null) {
                close(evicted);
            }
        }
    }

    /** Closes the handles of datasets under {@code uriPrefix}, about to be removed, so they are opened afresh. */
    void forget(String uriPrefix) {
        List<Entry> forgotten = new ArrayList<>();
        synchronized (open) {
            open.entrySet().removeIf(entry -> entry.getKey().startsWith(uriPrefix) && forgotten.add(entry.getValue()));
        }
        forgotten.forEach(LatestDatasets::close);
    }

    private static void close(Entry entry) {
        entry.lock.writeLock().lock();
        try {
            if (!entry.closed) {
                entry.closed = true;
                entry.dataset.close();
                entry.memory.close();
            }
        } finally {
            entry.lock.writeLock().unlock();
        }
    }

    @Override
    public void close() {
        List<Entry> all;
        synchronized (open) {
            all = List.copyOf(open.values());
            open.clear();
        }
        all.forEach(LatestDatasets::close);
    }
}
