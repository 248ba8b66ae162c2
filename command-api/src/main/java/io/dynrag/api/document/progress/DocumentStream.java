package io.dynrag.api.document.progress;

import io.dynrag.api.document.DocumentView;
import io.dynrag.api.document.EventStoreDocumentLookup.Change;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One open stream of a document's status changes and progress. What its watch tells it waits here until
 * the stream's own thread sends it, so a slow client holds up no one else. It ends after a final status,
 * when the client goes away, at its longest duration, or when a further minute cannot be counted
 * against its customer's rate limit; then its slot is free.
 */
public final class DocumentStream implements DocumentWatches.Watcher {

    static final Set<String> FINAL = Set.of("INDEXED", "FAILED", "DELETED");
    /** Proxies close connections that stay silent much longer; a write is also how a lost client shows. */
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    /** Each further started period the stream is open counts as one more request. */
    static final Duration CHARGE_PERIOD = Duration.ofMinutes(1);

    private static final Logger log = LoggerFactory.getLogger(DocumentStream.class);

    /** Where a stream's events go: the client's connection. */
    public interface Sink {

        /** @return false once the client is gone */
        boolean event(String name, Object data);

        /** @return false once the client is gone */
        boolean comment(String text);

        void close();
    }

    private final Clock clock;
    private final Instant deadline;
    private final BooleanSupplier chargeFurtherPeriod;
    private final Consumer<DocumentStream> release;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> firstState = new CompletableFuture<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition news = lock.newCondition();
    /* Guarded by lock. */
    private final List<Change> changes = new ArrayList<>();
    private ProgressTracker.Progress progress;
    private boolean tick;
    private boolean stop;

    /* Used by the stream's own thread only. */
    private Instant nextCharge;
    private Instant lastSent;
    private DocumentView shown;
    private String shownStatus;
    private DocumentView.Progress shownProgress;

    /**
     * @param chargeFurtherPeriod counts one more request of the customer; false when its rate limit refuses it
     * @param release             frees the stream's slot and stops its watch; runs once, when the stream ends
     */
    DocumentStream(Clock clock, Duration longest, BooleanSupplier chargeFurtherPeriod,
                   Consumer<DocumentStream> release) {
        this.clock = clock;
        Instant openedAt = clock.instant();
        this.deadline = openedAt.plus(longest);
        this.nextCharge = openedAt.plus(CHARGE_PERIOD);
        this.lastSent = openedAt;
        this.chargeFurtherPeriod = chargeFurtherPeriod;
        this.release = release;
    }

    @Override
    public void changed(List<Change> told) {
        signal(() -> changes.addAll(told));
        firstState.complete(null);
    }

    @Override
    public void progressed(ProgressTracker.Progress report) {
        signal(() -> progress = report);
    }

    @Override
    public void failed(RuntimeException cause) {
        firstState.completeExceptionally(cause);
        stop();
    }

    @Override
    public void vanished() {
        firstState.completeExceptionally(new IllegalStateException("the document can no longer be read"));
        stop();
    }

    /**
     * Waits until the document's current state is read, so that a stream starts only once it can.
     *
     * @return false when it could not be read within {@code wait}
     */
    public boolean awaitFirstState(Duration wait) {
        try {
            firstState.get(wait.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Time to look at the clock: the longest duration, the next period to count, a heartbeat. */
    void tick() {
        signal(() -> tick = true);
    }

    /** Ends the stream (the client went away, or the server stops); its thread closes it. */
    public void stop() {
        signal(() -> stop = true);
    }

    /** Frees the slot; for a stream that never ran, or once it has ended. */
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release.accept(this);
        }
    }

    /** Sends the first state and every change until the stream ends, on the caller's thread; then closes it. */
    public void run(Sink sink) {
        try {
            while (true) {
                List<Change> toShow;
                ProgressTracker.Progress report;
                boolean ticked;
                lock.lock();
                try {
                    while (!stop && changes.isEmpty() && progress == null && !tick) {
                        news.await();
                    }
                    if (stop) {
                        return;
                    }
                    toShow = List.copyOf(changes);
                    changes.clear();
                    report = progress;
                    progress = null;
                    ticked = tick;
                    tick = false;
                } finally {
                    lock.unlock();
                }
                if (!show(sink, toShow, report) || (ticked && !keepOpen(sink))) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                sink.close();
            } finally {
                close();
            }
        }
    }

    /** @return false when the stream is over: a final status was sent, or the client is gone */
    private boolean show(Sink sink, List<Change> toShow, ProgressTracker.Progress report) {
        for (Change change : toShow) {
            DocumentView view = change.view();
            String status = view.status() + "@" + view.version();
            if (!status.equals(shownStatus)) {
                if (!send(sink, "status", view)) {
                    return false;
                }
                shownStatus = status;
            }
            shown = view;
            if (FINAL.contains(view.status())) {
                return false;
            }
        }
        // Changes go first: a report on a version that is no longer in progress is stale.
        if (report != null && shown != null && WithProgress.inProgress(shown) && report.version() == shown.version()) {
            DocumentView.Progress current = new DocumentView.Progress(report.stage(), report.chunksEmbedded(),
                    report.chunksTotal());
            if (!current.equals(shownProgress)) {
                if (!send(sink, "progress", current)) {
                    return false;
                }
                shownProgress = current;
            }
        }
        return true;
    }

    /** @return false when the stream must end: its time is up, a further period is refused, the client is gone */
    private boolean keepOpen(Sink sink) {
        Instant now = clock.instant();
        if (!now.isBefore(deadline)) {
            sink.comment("the longest a stream stays open is reached; reconnect to go on");
            return false;
        }
        while (!now.isBefore(nextCharge)) {
            if (!chargeFurtherPeriod()) {
                sink.comment("the rate limit is reached; reconnect later");
                return false;
            }
            nextCharge = nextCharge.plus(CHARGE_PERIOD);
        }
        if (!now.isBefore(lastSent.plus(HEARTBEAT))) {
            lastSent = now;
            return sink.comment("still working");
        }
        return true;
    }

    private boolean chargeFurtherPeriod() {
        try {
            return chargeFurtherPeriod.getAsBoolean();
        } catch (RuntimeException e) {
            // Not counted, so not kept open: the client reconnects once the limits can be checked again.
            log.debug("Counting a further minute of a stream failed: {}", e.toString());
            return false;
        }
    }

    private boolean send(Sink sink, String name, Object data) {
        lastSent = clock.instant();
        return sink.event(name, data);
    }

    private void signal(Runnable change) {
        lock.lock();
        try {
            change.run();
            news.signal();
        } finally {
            lock.unlock();
        }
    }
}
