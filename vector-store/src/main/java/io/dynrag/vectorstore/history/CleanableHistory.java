package io.dynrag.vectorstore.history;

import java.time.Instant;
import java.util.List;

/** What the {@link HistoryCleaner} needs of a store: removing a dataset's versions older than a window. */
@FunctionalInterface
public interface CleanableHistory {

    /** @return the versions removed (see {@link HistoryCleanup}) */
    int cleanUpHistory(String customerId, String model, Instant windowStart);

    /** The models the tenant has a dataset of; none when the store cannot list them. */
    default List<String> modelsOf(String customerId) {
        return List.of();
    }
}
