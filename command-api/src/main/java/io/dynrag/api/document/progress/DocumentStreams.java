package io.dynrag.api.document.progress;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The open document streams of this process, within its limits: at most {@link Limits#maxStreams()} in
 * all and {@link Limits#maxStreamsPerCustomer()} per customer, each open for at most
 * {@link #LONGEST_STREAM}. A stream's slot is free again the moment it ends.
 */
public final class DocumentStreams implements AutoCloseable {

    /** Long enough to watch any document through the pipeline; the client reconnects to go on. */
    public static final Duration LONGEST_STREAM = Duration.ofMinutes(30);
    /** A stream held up by a client that does not read is left to the server's stop. */
    private static final Duration ENDING_WAIT = Duration.ofSeconds(5);

    /**
     * @param maxStreams            open streams of this process, all customers together
     * @param maxStreamsPerCustomer open streams of one customer in this process
     */
    public record Limits(int maxStreams, int maxStreamsPerCustomer) {
        public Limits {
            if (maxStreams < 1 || maxStreamsPerCustomer < 1) {
                throw new IllegalArgumentException("stream limits must be positive: " + maxStreams + ", "
                        + maxStreamsPerCustomer);
            }
        }
    }

    /** Refused: a limit on open streams is reached; the message says which. */
    public static final class LimitReached extends RuntimeException {
        LimitReached(String message) {
            super(message, null, false, false);
        }
    }

    private final Limits limits;
    private final DocumentWatches watches;
    private final Clock clock;
    /** Each open stream and what stops its watch. */
    private final Map<DocumentStream, Runnable> open = new ConcurrentHashMap<>();
    private final ScheduledExecutorService clockTicks = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("document-stream-clock").daemon().factory());
    /* Guarded by this. */
    private final Map<String, Integer> openPerCustomer = new HashMap<>();
    private int openInAll;

    public DocumentStreams(Limits limits, DocumentWatches watches, Clock clock) {
        this.limits = limits;
        this.watches = watches;
        this.clock = clock;
    }

    /**
     * Takes a slot and starts watching the document; the caller runs the stream, or closes it if it
     * cannot.
     *
     * @param chargeFurtherMinute counts one more request of the customer for each further minute the
     *                            stream stays open; false when the rate limit refuses it (the stream ends)
     * @throws LimitReached when the customer, or this process, has as many open streams as allowed
     */
    public DocumentStream open(String customerId, String documentId, BooleanSupplier chargeFurtherMinute) {
        reserve(customerId);
        DocumentStream stream = new DocumentStream(clock, LONGEST_STREAM, chargeFurtherMinute,
                ended -> release(customerId, ended));
        open.put(stream, watches.watch(customerId, documentId, stream));
        return stream;
    }

    /** Lets every stream look at the clock once a second from now on. */
    public void start() {
        clockTicks.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    /** Lets every stream look at the clock: its longest duration, its next minute to count, a heartbeat. */
    void tick() {
        open.keySet().forEach(DocumentStream::tick);
    }

    /** Open streams of the customer in this process. */
    public synchronized int openStreams(String customerId) {
        return openPerCustomer.getOrDefault(customerId, 0);
    }

    private synchronized void reserve(String customerId) {
        int ofCustomer = openPerCustomer.getOrDefault(customerId, 0);
        if (ofCustomer >= limits.maxStreamsPerCustomer()) {
            throw new LimitReached("you have " + ofCustomer + " open event streams, the most allowed; close one "
                    + "or wait for one to end");
        }
        if (openInAll >= limits.maxStreams()) {
            throw new LimitReached("this server has " + openInAll + " open event streams, the most it serves; "
                    + "retry later");
        }
        openPerCustomer.put(customerId, ofCustomer + 1);
        openInAll++;
    }

    private void release(String customerId, DocumentStream stream) {
        Runnable stopWatching = open.remove(stream);
        if (stopWatching != null) {
            stopWatching.run();
        }
        synchronized (this) {
            openPerCustomer.computeIfPresent(customerId, (id, count) -> count > 1 ? count - 1 : null);
            openInAll--;
        }
    }

    /** Ends every stream, and waits a moment for them to finish their answers before the server stops. */
    @Override
    public void close() {
        clockTicks.shutdownNow();
        open.keySet().forEach(DocumentStream::stop);
        long deadline = System.nanoTime() + ENDING_WAIT.toNanos();
        try {
            while (!open.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
