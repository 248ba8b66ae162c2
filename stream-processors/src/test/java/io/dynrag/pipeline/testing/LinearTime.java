package io.dynrag.pipeline.testing;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.IntFunction;
import java.util.function.Consumer;

/**
 * Tells whether an operation's time grows linearly with its input, by timing it on a small and a
 * ten times larger input of the same shape. A linear operation takes about ten times as long, a
 * quadratic one about a hundred times, so the ratio separates them without any wall-clock
 * threshold. Time is the CPU time of the calling thread, so other processes on a busy machine do
 * not count; each size is timed several times and the fastest run counts, and a ratio over the
 * limit is measured again before it counts.
 */
public final class LinearTime {

    /** Input sizes; a soak sets them up to the upload limit, e.g. {@code -Ddynrag.linear.large=26214400}. */
    public static final int LARGE = Integer.getInteger("dynrag.linear.large", 100_000);
    public static final int SMALL = Integer.getInteger("dynrag.linear.small", LARGE / 10);
    /**
     * Ten times the input may take at most this many times as long: linear code measures 2 to 14
     * here, quadratic code about 100, and code that is quadratic in part (a loop over ancestors, a
     * copy per element) 20 to 30.
     */
    public static final double MAX_RATIO = 20;
    private static final int RUNS = 3;
    private static final int ATTEMPTS = 3;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

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
        long start = THREADS.getCurrentThreadCpuTime();
        operation.accept(input);
        return Math.max(THREADS.getCurrentThreadCpuTime() - start, 1);
    }
}
