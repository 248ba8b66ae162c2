package io.dynrag.vectorstore.history;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.Version;
import io.dynrag.vectorstore.dataset.Datasets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Removes the dataset versions no search within the retained window can read: every version older
 * than the one that was the latest at the window's start. That one stays (an instant just inside
 * the window reads it), and so do the latest version and every version written since.
 *
 * <p>Lance's Java API has no cleanup call; its automatic cleanup, which runs when a version is
 * committed, does the work: one configuration commit sets it to remove what is both older than the
 * kept version's time and not among the versions from the kept one on, a second removes the
 * setting again, so the pipeline's writes (which skip the automatic cleanup anyway) never clean by
 * themselves. A crash between the two leaves a setting that the next cleanup replaces and the next
 * write of the dataset removes.
 */
public final class HistoryCleanup {

    static final String INTERVAL = "lance.auto_cleanup.interval";
    static final String OLDER_THAN = "lance.auto_cleanup.older_than";
    static final String RETAIN_VERSIONS = "lance.auto_cleanup.retain_versions";
    /**
     * Lance measures the age from its own clock when it commits, a moment after it is computed here, and
     * another pipeline instance may commit a version in between (then the versions counted from the
     * latest would reach past the kept one): the age is given this much to spare, so the kept version and
     * the ones after it are not old by time in any case. Versions written in that span before the kept
     * one stay until the next cleanup.
     */
    public static final Duration MARGIN = Duration.ofMinutes(1);

    private final Datasets datasets;
    private final Duration margin;

    public HistoryCleanup(Datasets datasets) {
        this(datasets, MARGIN);
    }

    /** @param margin the age's spare; tests, which cannot wait a minute, give less */
    public HistoryCleanup(Datasets datasets, Duration margin) {
        this.datasets = datasets;
        this.margin = Objects.requireNonNull(margin, "margin");
    }

    /**
     * @param windowStart the earliest instant searches may still ask for
     * @return the versions removed; 0 when there is no dataset or nothing older than the window
     */
    public int cleanUp(String customerId, String model, Instant windowStart) {
        String uri = datasets.paths().datasetUri(customerId, model);
        return datasets.memory().whileOpen(() -> datasets.inTurn(uri, () ->
                datasets.memory().withChild("history-cleanup", memory ->
                        datasets.open(memory, uri, OptionalLong.empty()).map(dataset -> {
                            try (dataset) {
                                return cleanUp(dataset, windowStart);
                            }
                        }).orElse(0))));
    }

    @SuppressWarnings("deprecation")
    private int cleanUp(Dataset dataset, Instant windowStart) {
        List<Version> versions = dataset.listVersions().stream()
                .sorted(Comparator.comparingLong(Version::getId))
                .toList();
        Version kept = null;
        for (Version version : versions) {
            if (!version.getDataTime().toInstant().isAfter(windowStart)) {
                kept = version;
            }
        }
        if (kept == null || kept.getId() == versions.getFirst().getId()) {
            return 0;
        }
        // The configuration commit is a version of its own, counted among those retained.
        long retained = versions.getLast().getId() + 1 - kept.getId() + 1;
        Duration age = Duration.between(kept.getDataTime().toInstant(), Instant.now()).plus(margin);
        dataset.updateConfig(Map.of(INTERVAL, "1", RETAIN_VERSIONS, Long.toString(retained),
                OLDER_THAN, Math.max(0, age.toMillis()) + "ms"));
        dataset.deleteConfigKeys(Set.of(INTERVAL, RETAIN_VERSIONS, OLDER_THAN));
        long keptId = kept.getId();
        long remaining = dataset.listVersions().stream().filter(version -> version.getId() < keptId).count();
        return (int) (versions.stream().filter(version -> version.getId() < keptId).count() - remaining);
    }
}
