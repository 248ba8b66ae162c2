package io.dynrag.api.document.progress;

import io.dynrag.api.document.EventStoreDocumentLookup.Change;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The documents that open streams watch, each read once for all the streams of this process that watch
 * it: when a stream starts watching (its first state must be fresh) and when the document changed
 * ({@link DocumentUpdatesFeed}), never on a timer. Reads of one document never overlap; what asks for a
 * read while one runs is served by the next, together. Every read runs on {@value #READERS} threads of
 * their own, so however many streams are open they hold at most that many database connections.
 *
 * <p>A watcher's first state comes from a read that began after it started watching, so it includes
 * every change made before; after that it is told every change, in order and once each: the document
 * as each of its events left it. A change made while its first state was read is told by the read
 * that follows, which its announcement (or the watcher's arrival) asked for.
 */
public final class DocumentWatches implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DocumentWatches.class);
    private static final int READERS = 2;
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);
    private static final long NOTHING_TOLD = -1;

    /** Reads a document's events: {@code EventStoreDocumentLookup#changesSince}. */
    @FunctionalInterface
    public interface History {
        List<Change> changesSince(String customerId, String documentId, long fromSequence);
    }

    /** Told about one document; called while its watch is locked, so it must return at once. */
    public interface Watcher {

        /** Changes after those told before, oldest first; the first call brings the current state alone. */
        void changed(List<Change> changes);

        /** The pipeline's latest report on a version of the document; only after the first state. */
        void progressed(ProgressTracker.Progress progress);

        /** The first state could not be read: nothing will be told. */
        void failed(RuntimeException cause);

        /** The document can no longer be read (its owner was erased, say): nothing more will be told. */
        void vanished();
    }

    private record Key(String customerId, String documentId) {
    }

    private static final class Subscription {
        private final Watcher watcher;
        /** The sequence number of the last change told; guarded by the watch. */
        private long told = NOTHING_TOLD;
        /** Its first state comes from the read under way; guarded by the watch. */
        private boolean inRead;

        private Subscription(Watcher watcher) {
            this.watcher = watcher;
        }
    }

    /** One watched document; guarded by itself. */
    private static final class Watch {
        private final Key key;
        private final List<Subscription> subscriptions = new ArrayList<>();
        private boolean reading;
        private boolean readAgain;
        private boolean failing;

        private Watch(Key key) {
            this.key = key;
        }
    }

    private final History history;
    private final ProgressTracker progress;
    private final ConcurrentMap<Key, Watch> watches = new ConcurrentHashMap<>();
    private final ExecutorService readers = Executors.newFixedThreadPool(READERS,
            Thread.ofPlatform().name("document-watch-read-", 0).daemon().factory());

    public DocumentWatches(History history, ProgressTracker progress) {
        this.history = history;
        this.progress = progress;
    }

    /**
     * Starts telling {@code watcher} about the customer's document, from a fresh read of it.
     *
     * @return stops it
     */
    public Runnable watch(String customerId, String documentId, Watcher watcher) {
        Key key = new Key(customerId, documentId);
        Subscription subscription = new Subscription(watcher);
        Watch watch = watches.compute(key, (k, existing) -> {
            Watch joined = existing == null ? new Watch(k) : existing;
            synchronized (joined) {
                joined.subscriptions.add(subscription);
            }
            return joined;
        });
        requestRead(watch);
        return () -> watches.computeIfPresent(key, (k, joined) -> {
            synchronized (joined) {
                joined.subscriptions.remove(subscription);
                return joined.subscriptions.isEmpty() ? null : joined;
            }
        });
    }

    /** The document changed: its watchers are told after one read. Unwatched documents cost nothing. */
    public void changed(String customerId, String documentId) {
        Watch watch = watches.get(new Key(customerId, documentId));
        if (watch != null) {
            requestRead(watch);
        }
    }

    /** The pipeline reported progress on the document: told as it is, without a read. */
    public void progressed(String customerId, String documentId, ProgressTracker.Progress report) {
        Watch watch = watches.get(new Key(customerId, documentId));
        if (watch == null) {
            return;
        }
        synchronized (watch) {
            for (Subscription subscription : watch.subscriptions) {
                if (subscription.told != NOTHING_TOLD) {
                    subscription.watcher.progressed(report);
                }
            }
        }
    }

    /** Reads every watched document again: news of their changes may have been missed. */
    public void refreshAll() {
        watches.values().forEach(this::requestRead);
    }

    /** Documents watched now. */
    int watched() {
        return watches.size();
    }

    private void requestRead(Watch watch) {
        synchronized (watch) {
            watch.readAgain = true;
            if (watch.reading) {
                return;
            }
            watch.reading = true;
        }
        try {
            readers.execute(() -> read(watch));
        } catch (RejectedExecutionException e) {
            // Shutting down: the streams are being closed.
        }
    }

    private void read(Watch watch) {
        while (true) {
            long from = Long.MAX_VALUE;
            synchronized (watch) {
                if (!watch.readAgain || watch.subscriptions.isEmpty()) {
                    watch.reading = false;
                    return;
                }
                watch.readAgain = false;
                for (Subscription subscription : watch.subscriptions) {
                    if (subscription.told == NOTHING_TOLD) {
                        subscription.inRead = true;
                    } else {
                        from = Math.min(from, subscription.told + 1);
                    }
                }
            }
            List<Change> changes;
            try {
                changes = history.changesSince(watch.key.customerId(), watch.key.documentId(), from);
            } catch (RuntimeException e) {
                failed(watch, e);
                continue;
            }
            synchronized (watch) {
                watch.failing = false;
                tell(watch, changes);
            }
        }
    }

    private void tell(Watch watch, List<Change> changes) {
        if (changes.isEmpty()) {
            watch.subscriptions.forEach(subscription -> subscription.watcher.vanished());
            watch.subscriptions.clear();
            return;
        }
        Change current = changes.getLast();
        for (Subscription subscription : watch.subscriptions) {
            if (subscription.inRead) {
                subscription.inRead = false;
                subscription.told = current.sequence();
                subscription.watcher.changed(List.of(current));
                // Under the watch's lock, so a report pushed next is never older than this one.
                if (WithProgress.inProgress(current.view())) {
                    progress.of(watch.key.documentId(), current.view().version())
                            .ifPresent(subscription.watcher::progressed);
                }
            } else if (subscription.told != NOTHING_TOLD) {
                long told = subscription.told;
                List<Change> news = changes.stream().filter(change -> change.sequence() > told).toList();
                if (!news.isEmpty()) {
                    subscription.told = news.getLast().sequence();
                    subscription.watcher.changed(news);
                }
            }
        }
    }

    /** Those waiting for a first state are told; the others get the news from a read a moment later. */
    private void failed(Watch watch, RuntimeException cause) {
        boolean retry;
        synchronized (watch) {
            if (!watch.failing) {
                log.warn("Reading document {} for its streams failed; retrying every {} ms: {}",
                        watch.key.documentId(), RETRY_AFTER_FAILURE.toMillis(), cause.toString());
            }
            watch.failing = true;
            watch.subscriptions.removeIf(subscription -> {
                if (subscription.inRead) {
                    subscription.watcher.failed(cause);
                }
                return subscription.inRead;
            });
            retry = !watch.subscriptions.isEmpty();
        }
        if (retry) {
            CompletableFuture.runAsync(() -> requestRead(watch),
                    CompletableFuture.delayedExecutor(RETRY_AFTER_FAILURE.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    @Override
    public void close() {
        readers.shutdownNow();
    }
}
