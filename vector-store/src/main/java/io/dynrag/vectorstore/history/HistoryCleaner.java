package io.dynrag.vectorstore.history;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Bounds a tenant dataset's history: after a write, in the background, removes the versions older
 * than the tenant's time-travel retention ({@link HistoryCleanup}). A dataset is cleaned at most
 * once per {@link #EVERY}: its history outgrows the window by that much at most, and a busy tenant's
 * writes are not followed by a cleanup each. The tenant's other datasets (a model it left, whose
 * versions nothing writes any more) are cleaned with it, on the same terms, so no history outlives the
 * retention while the tenant writes at all. One cleanup at a time, beside the pipeline's work.
 */
public final class HistoryCleaner implements AutoCloseable {

    public static final Duration EVERY = Duration.ofHours(1);
    private static final Logger log = LoggerFactory.getLogger(HistoryCleaner.class);

    private final CleanableHistory store;
    private final Clock clock;
    private final ExecutorService cleaner = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "history-cleaner");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    /** When each dataset was last cleaned by this process; after a restart each is cleaned at its next write. */
    private final Map<String, Instant> cleaned = new ConcurrentHashMap<>();

    public HistoryCleaner(CleanableHistory store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Called after a write; returns at once, the cleanup (when due) runs in the background. */
    public void afterWrite(String customerId, String model, Duration retention) {
        String dataset = customerId + "/" + model;
        if (!due(dataset) || !pending.add(dataset)) {
            return;
        }
        try {
            cleaner.execute(() -> {
                pending.remove(dataset);
                cleanUp(customerId, model, retention);
                List<String> others;
                try {
                    others = store.modelsOf(customerId);
                } catch (RuntimeException e) {
                    log.warn("Could not list the datasets of {}: {}", customerId, e.getMessage());
                    return;
                }
                for (String other : others) {
                    if (!other.equals(model) && due(customerId + "/" + other)) {
                        cleanUp(customerId, other, retention);
                    }
                }
            });
        } catch (RejectedExecutionException closing) {
            pending.remove(dataset);
        }
    }

    private boolean due(String dataset) {
        Instant last = cleaned.get(dataset);
        return last == null || !last.plus(EVERY).isAfter(clock.instant());
    }

    private void cleanUp(String customerId, String model, Duration retention) {
        String dataset = customerId + "/" + model;
        Instant now = clock.instant();
        // Marked first, so that writes meanwhile do not queue it again.
        cleaned.put(dataset, now);
        try {
            int removed = store.cleanUpHistory(customerId, model, now.minus(retention));
            if (removed > 0) {
                log.info("Removed {} versions of {} older than its retention of {} days", removed, dataset,
                        retention.toDays());
            }
        } catch (RuntimeException e) {
            // The versions stay, searchable; the next write tries again.
            cleaned.remove(dataset);
            log.warn("Could not clean up the history of {}: {}", dataset, e.getMessage());
        }
    }

    @Override
    public void close() {
        cleaner.shutdownNow();
        try {
            cleaner.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
