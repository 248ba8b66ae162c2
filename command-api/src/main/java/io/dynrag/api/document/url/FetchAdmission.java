package io.dynrag.api.document.url;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Admits URL fetches within {@link FetchBounds}: at most so many at once in the process and per
 * customer, and at most so many bytes of temporary files. A fetch reserves the largest page it may
 * receive (the customer's file-size limit) before it starts, so the bound holds whatever the pages
 * turn out to be, and gives its room back once its temporary file is gone.
 *
 * <p>A fetch without room waits up to {@link FetchBounds#queueWait()} for another to finish, then is
 * refused ({@link NoRoomToFetchException}) with when to try again, saying whether the customer's own share is
 * what is full (the customer can wait for its own fetches) or the process.
 */
public final class FetchAdmission {

    /** Most fetches end within seconds; a refused client may try again after this. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final FetchBounds bounds;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    /** Only customers with a fetch in progress: an entry goes when its last room is given back. */
    private final Map<String, Share> shares = new HashMap<>();
    private int fetches;
    private long tempBytes;

    public FetchAdmission(FetchBounds bounds) {
        this.bounds = bounds;
    }

    /** What one customer holds: fetches and reserved bytes. */
    private static final class Share {
        int fetches;
        long bytes;
    }

    /** Room for one fetch, given back exactly once by {@link #close()}. */
    public final class Room implements AutoCloseable {

        private final String customerId;
        private final long bytes;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Room(String customerId, long bytes) {
            this.customerId = customerId;
            this.bytes = bytes;
        }

        /** The largest page this room holds. */
        public long bytes() {
            return bytes;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                giveBack(customerId, bytes);
            }
        }
    }

    /**
     * Waits for room for a fetch of the customer that may receive up to {@code bytes}.
     *
     * @throws NoRoomToFetchException   when the customer's share or the process stayed full for the whole wait
     * @throws FetchInterruptedException when the server stops meanwhile
     */
    public Room admit(String customerId, long bytes) {
        if (bytes < 0 || bytes > bounds.tempBytesPerCustomer()) {
            throw new IllegalArgumentException("a fetch of up to " + bytes + " bytes can never fit in a customer's "
                    + bounds.tempBytesPerCustomer() + " bytes of temporary files");
        }
        long deadline = System.nanoTime() + bounds.queueWait().toNanos();
        lock.lock();
        try {
            while (true) {
                Share share = shares.get(customerId);
                boolean ownRoom = share == null || (share.fetches < bounds.fetchesPerCustomer()
                        && share.bytes + bytes <= bounds.tempBytesPerCustomer());
                boolean processRoom = fetches < bounds.fetches() && tempBytes + bytes <= bounds.tempBytes();
                if (ownRoom && processRoom) {
                    take(customerId, bytes);
                    return new Room(customerId, bytes);
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw ownRoom ? processFull() : shareFull();
                }
                released.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchInterruptedException();
        } finally {
            lock.unlock();
        }
    }

    private void take(String customerId, long bytes) {
        Share share = shares.computeIfAbsent(customerId, id -> new Share());
        share.fetches++;
        share.bytes += bytes;
        fetches++;
        tempBytes += bytes;
    }

    private void giveBack(String customerId, long bytes) {
        lock.lock();
        try {
            Share share = shares.get(customerId);
            share.fetches--;
            share.bytes -= bytes;
            if (share.fetches == 0) {
                shares.remove(customerId);
            }
            fetches--;
            tempBytes -= bytes;
            // Waiters of every customer look again: the room freed may be in their share or only in the process.
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private NoRoomToFetchException shareFull() {
        return new NoRoomToFetchException("your URL fetches already use your share of this server: "
                + bounds.fetchesPerCustomer() + " at once and " + bounds.tempBytesPerCustomer() + " bytes of pages "
                + "(each fetch reserves your maxFileBytes); retry in " + RETRY_AFTER.toSeconds() + " s", true,
                RETRY_AFTER);
    }

    private NoRoomToFetchException processFull() {
        return new NoRoomToFetchException("the server is fetching as many URLs as it may; retry in "
                + RETRY_AFTER.toSeconds() + " s", false, RETRY_AFTER);
    }
}
