package io.dynrag.vectorstore.memory;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The Arrow memory of one store: a single root allocator, a child of it for each call, and the
 * store's life around them. Calls run while the store is open, any number at once; closing waits
 * for the running ones, refuses new ones, and only then releases the memory, so no call is left
 * holding buffers of a closed allocator.
 */
public final class ArrowMemory {

    private static final Duration RELEASE_WAIT = Duration.ofSeconds(5);

    private final RootAllocator allocator = new RootAllocator();
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    /** The root allocator, for what keeps memory beyond one call (handles kept open for searches). */
    public BufferAllocator root() {
        return allocator;
    }

    /** Runs one call of the store, unless it is closed. */
    public <T> T whileOpen(Supplier<T> call) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the chunk store is closed");
            }
            return call.get();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Runs {@code action} with memory of its own, released when it returns. */
    public <T> T withChild(String name, Function<BufferAllocator, T> action) {
        try (BufferAllocator memory = child(name)) {
            return action.apply(memory);
        }
    }

    /**
     * Runs {@code action} with memory of its own that native code may still be releasing when it
     * returns: the native merge reads an exported row stream on its own thread and may release the
     * last batch a moment later; closing the allocator before that would report a leak (and leave
     * the allocator open). Waits briefly for the release.
     */
    public <T> T withChildReleasedLate(String name, Function<BufferAllocator, T> action) {
        BufferAllocator memory = child(name);
        try {
            return action.apply(memory);
        } finally {
            closeOnceReleased(memory);
        }
    }

    private BufferAllocator child(String name) {
        return allocator.newChildAllocator(name, 0, Long.MAX_VALUE);
    }

    private static void closeOnceReleased(BufferAllocator memory) {
        long deadline = System.nanoTime() + RELEASE_WAIT.toNanos();
        while (memory.getAllocatedMemory() != 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        memory.close();
    }

    /**
     * Waits for running calls, then closes {@code holders} (what keeps memory of the root allocator
     * beyond a call) and releases all Arrow memory. Later calls are refused; closing again does nothing.
     */
    public void close(Runnable holders) {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                holders.run();
                allocator.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
