package io.dynrag.api.document.progress;

import io.dynrag.api.document.DocumentView;
import io.dynrag.api.document.EventStoreDocumentLookup.Change;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Documents' histories in memory, read as the event store is: each appended view is the document as one
 * more event left it. Counts its reads, and can hold them, to show when reads happen and what they share.
 */
final class RecordedHistory implements DocumentWatches.History {

    private final Map<String, List<DocumentView>> byDocument = new ConcurrentHashMap<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final Semaphore readsStarted = new Semaphore(0);
    private volatile CountDownLatch hold = new CountDownLatch(0);

    /** The document as it is after one more event. */
    void append(DocumentView view) {
        byDocument.computeIfAbsent(view.documentId(), id -> new CopyOnWriteArrayList<>()).add(view);
    }

    /** Reads from now on take their snapshot, then wait until the returned latch is counted down. */
    CountDownLatch holdReads() {
        CountDownLatch latch = new CountDownLatch(1);
        hold = latch;
        return latch;
    }

    /** Waits until a read has taken its snapshot. */
    void awaitReadStarted() throws InterruptedException {
        if (!readsStarted.tryAcquire(10, TimeUnit.SECONDS)) {
            throw new AssertionError("no read started");
        }
    }

    int reads() {
        return reads.get();
    }

    @Override
    public List<Change> changesSince(String customerId, String documentId, long fromSequence) {
        reads.incrementAndGet();
        List<DocumentView> events = List.copyOf(byDocument.getOrDefault(documentId, List.of()));
        readsStarted.release();
        try {
            hold.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Change> changes = new ArrayList<>();
        for (int sequence = 0; sequence < events.size(); sequence++) {
            if (sequence >= fromSequence) {
                changes.add(new Change(sequence, events.get(sequence)));
            }
        }
        if (changes.isEmpty() && !events.isEmpty()) {
            changes.add(new Change(events.size() - 1, events.getLast()));
        }
        return changes;
    }

    static DocumentView view(String documentId, int version, String status) {
        return new DocumentView(documentId, "Tides", java.util.Map.of(), "text/plain", 100, version, status, null, null, null, null, null,
                null, null, null, null, null, null, null, Instant.parse("2031-03-14T12:00:00Z"), null);
    }
}
