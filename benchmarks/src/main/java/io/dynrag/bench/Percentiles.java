package io.dynrag.bench;

import java.util.Arrays;

/** Nearest-rank percentiles of measured values. */
final class Percentiles {

    private Percentiles() {
    }

    static long of(long[] values, double percentile) {
        if (values.length == 0) {
            return 0;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
