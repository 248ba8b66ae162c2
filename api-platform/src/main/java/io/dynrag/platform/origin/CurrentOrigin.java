package io.dynrag.platform.origin;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The origin of the commands the current thread sends. A thread-local is enough because commands
 * run synchronously on the sending thread (Axon's SimpleCommandBus): an HTTP request sets it before
 * its handler and clears it after; a background component sets it around each message it acts on.
 */
public final class CurrentOrigin {

    private static final ThreadLocal<Origin> CURRENT = new ThreadLocal<>();

    private CurrentOrigin() {
    }

    public static Optional<Origin> get() {
        return Optional.ofNullable(CURRENT.get());
    }

    public static void set(Origin origin) {
        CURRENT.set(origin);
    }

    /** Names who acts from now on, keeping the correlation id; without an origin, there is nothing to name. */
    public static void actAs(String actor) {
        get().ifPresent(origin -> CURRENT.set(origin.actedOnBy(actor)));
    }

    public static void clear() {
        CURRENT.remove();
    }

    /** Runs {@code work} with {@code origin}, then restores whatever origin the thread had. */
    public static <T> T call(Origin origin, Supplier<T> work) {
        Origin previous = CURRENT.get();
        CURRENT.set(origin);
        try {
            return work.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    public static void run(Origin origin, Runnable work) {
        call(origin, () -> {
            work.run();
            return null;
        });
    }
}
