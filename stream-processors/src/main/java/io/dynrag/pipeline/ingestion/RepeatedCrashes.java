package io.dynrag.pipeline.ingestion;

import io.dynrag.pipeline.deadline.DocumentWorkers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * Records whose processing failed with something that escaped it. The stream thread dies, its
 * transaction is aborted, and a new thread reads the same record again: without a bound, a record
 * that always fails that way would be read forever and hold up its partition. So each such failure
 * is counted by event id, and a record that failed {@code maxCrashes} times is given up on: the
 * caller dead-letters it instead of processing it again.
 *
 * <p>An {@link Error} counts at once. An exception (only a removal lets one escape: its storage is
 * down) counts only once the failures have gone on for {@code patience}, so an outage is waited out
 * as before. The counts live in memory, shared by the stream threads of the process (the aborted
 * transaction could not keep them); a restart starts them again.
 */
final class RepeatedCrashes {

    private static final Logger log = LoggerFactory.getLogger(RepeatedCrashes.class);

    private record Crashes(int count, long firstNanos, boolean exceptionsOnly, String lastError) {
    }

    private final int maxCrashes;
    private final Duration patience;
    private final ConcurrentMap<String, Crashes> byEvent = new ConcurrentHashMap<>();

    RepeatedCrashes(int maxCrashes, Duration patience) {
        this.maxCrashes = maxCrashes;
        this.patience = patience;
    }

    /**
     * @return why the record is given up on, if it crashed the pipeline too often; it is forgotten then,
     *     so the next time it is read (a redelivery) it is processed again
     */
    Optional<String> givenUp(String eventId) {
        Crashes crashes = byEvent.get(eventId);
        if (crashes == null || crashes.count() < maxCrashes
                || crashes.exceptionsOnly() && System.nanoTime() - crashes.firstNanos() < patience.toNanos()) {
            return Optional.empty();
        }
        byEvent.remove(eventId);
        log.error("Event {} failed the pipeline {} times ({}); it is dead-lettered", eventId, crashes.count(),
                crashes.lastError());
        return Optional.of("the document could not be processed: it made the pipeline fail " + crashes.count()
                + " times (" + crashes.lastError() + ")");
    }

    /** Runs the processing of a record, counting it as a crash if anything escapes it. */
    <T> T process(String eventId, Supplier<T> processing) {
        try {
            T result = processing.get();
            byEvent.remove(eventId);
            return result;
        } catch (DocumentWorkers.ShuttingDownException e) {
            throw e;   // not the record's doing
        } catch (RuntimeException | Error e) {
            boolean exception = e instanceof RuntimeException;
            long now = System.nanoTime();
            byEvent.merge(eventId, new Crashes(1, now, exception, e.getClass().getSimpleName()),
                    (earlier, latest) -> new Crashes(earlier.count() + 1, earlier.firstNanos(),
                            earlier.exceptionsOnly() && exception, latest.lastError()));
            throw e;
        }
    }
}
