package io.dynrag.vectorstore.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The background cleanup after writes: the window the tenant's retention gives, at most once an hour per dataset. */
class HistoryCleanerTest {

    private record Cleanup(String customerId, String model, Instant windowStart) {
    }

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T08:00:00Z"));
    private final BlockingQueue<Cleanup> cleanups = new LinkedBlockingQueue<>();

    @Test
    void cleansUpToTheRetentionAtMostOnceAnHourPerDataset() throws InterruptedException {
        try (HistoryCleaner cleaner = new HistoryCleaner((customerId, model, windowStart) -> {
            cleanups.add(new Cleanup(customerId, model, windowStart));
            return 0;
        }, clock())) {
            cleaner.afterWrite("tenant-a", "model", Duration.ofDays(30));
            assertThat(next()).isEqualTo(new Cleanup("tenant-a", "model", Instant.parse("2026-11-07T08:00:00Z")));

            now.set(now.get().plus(Duration.ofMinutes(59)));
            cleaner.afterWrite("tenant-a", "model", Duration.ofDays(30));
            cleaner.afterWrite("tenant-b", "model", Duration.ofDays(2));
            // One cleanup at a time, in order: had the first dataset's been due again, it would come first.
            assertThat(next()).as("within the hour only the other dataset")
                    .isEqualTo(new Cleanup("tenant-b", "model", Instant.parse("2026-12-05T08:59:00Z")));

            now.set(now.get().plus(Duration.ofMinutes(1)));
            cleaner.afterWrite("tenant-a", "model", Duration.ofDays(1));
            assertThat(next()).isEqualTo(new Cleanup("tenant-a", "model", Instant.parse("2026-12-06T09:00:00Z")));
        }
    }

    @Test
    void theTenantsDatasetsNoLongerWrittenAreCleanedWithTheOneWritten() throws InterruptedException {
        CleanableHistory store = new CleanableHistory() {
            @Override
            public int cleanUpHistory(String customerId, String model, Instant windowStart) {
                cleanups.add(new Cleanup(customerId, model, windowStart));
                return 0;
            }

            @Override
            public List<String> modelsOf(String customerId) {
                return List.of("model", "model-left-behind");
            }
        };
        try (HistoryCleaner cleaner = new HistoryCleaner(store, clock())) {
            cleaner.afterWrite("tenant-a", "model", Duration.ofDays(30));
            Instant windowStart = Instant.parse("2026-11-07T08:00:00Z");
            assertThat(next()).isEqualTo(new Cleanup("tenant-a", "model", windowStart));
            assertThat(next()).isEqualTo(new Cleanup("tenant-a", "model-left-behind", windowStart));

            now.set(now.get().plus(Duration.ofMinutes(30)));
            cleaner.afterWrite("tenant-b", "model", Duration.ofDays(30));
            assertThat(next()).as("the other tenant's; tenant-a's are not due").extracting(Cleanup::customerId)
                    .isEqualTo("tenant-b");
            assertThat(next()).extracting(Cleanup::model).isEqualTo("model-left-behind");
            now.set(now.get().plus(Duration.ofMinutes(30)));
            cleaner.afterWrite("tenant-a", "model", Duration.ofDays(30));
            assertThat(next()).extracting(Cleanup::model).isEqualTo("model");
            assertThat(next()).extracting(Cleanup::model).isEqualTo("model-left-behind");
            assertThat(cleanups.poll(200, TimeUnit.MILLISECONDS)).as("nothing more").isNull();
        }
    }

    private Cleanup next() throws InterruptedException {
        return cleanups.poll(1, TimeUnit.MINUTES);
    }

    private Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
    }
}
