package io.dynrag.pipeline.testing;

import java.util.function.IntFunction;
import java.util.function.Consumer;

/**
 * Tells whether an operation's time grows linearly with its input, by timing it on a small and a
 * ten times larger input of the same shape. A linear operation takes about ten times as long, a
 * quadratic one about a hundred times, so the ratio separates them without any wall-clock
 * threshold. Each size is timed several times and the fastest run counts, which keeps a busy
 * machine's pauses out of the figure; a ratio over the limit is measured again before it counts.
 */
public final class LinearTime {

    public static final int SMALL = 10_000;
    public static final int LARGE = 100_000;
    /** Ten times the input may take at most this many times as long (linear: about 10, quadratic: about 100). */
    public static final double MAX_RATIO = 30;
    private static final int RUNS = 3;
    private static final int ATTEMPTS = 3;

    private LinearTime() {
    }

    /** How much longer the larger input took than the smaller; the lowest of a few measurements. */
    public static <T> double ratio(IntFunction<T> input, Consumer<T> operation) {
        T small = input.apply(SMALL);
        T large = input.apply(LARGE);
        double best = Double.MAX_VALUE;
        for (int attempt = 0; attempt < ATTEMPTS && best > MAX_RATIO; attempt++) {
            time(operation, small);  // warm-up: the first run includes class loading and compilation
            long smallNanos = fastest(operation, small);
            // The larger input is timed until one run is fast enough, so a quadratic operation costs
            // one slow run per attempt rather than several.
            for (int run = 0; run < RUNS && best > MAX_RATIO; run++) {
                best = Math.min(best, (double) time(operation, large) / smallNanos);
                if (best > 3 * MAX_RATIO) {
                    break;
                }
            }
        }
        return best;
    }

    private static <T> long fastest(Consumer<T> operation, T input) {
        long fastest = Long.MAX_VALUE;
        for (int run = 0; run < RUNS; run++) {
            fastest = Math.min(fastest, time(operation, input));
        }
        return fastest;
    }

    private static <T> long time(Consumer<T> operation, T input) {
        long start = System.nanoTime();
        operation.accept(input);
        return Math.max(System.nanoTime() - start, 1);
    }
}
