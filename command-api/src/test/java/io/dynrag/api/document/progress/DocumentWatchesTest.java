package io.dynrag.api.document.progress;

import io.dynrag.api.document.EventStoreDocumentLookup.Change;
import io.dynrag.platform.testing.MutableClock;
import io.dynrag.schemas.ingestion.IngestionProgress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.dynrag.api.document.progress.RecordedHistory.view;
import static org.assertj.core.api.Assertions.assertThat;

class DocumentWatchesTest {

    private static final String CUSTOMER = "customer-1";
    private static final String DOCUMENT = "document-1";

    private final MutableClock clock = MutableClock.atRealTime();
    private final RecordedHistory history = new RecordedHistory();
    private final ProgressTracker progress = new ProgressTracker(clock);
    private final DocumentWatches watches = new DocumentWatches(history, progress);

    @AfterEach
    void close() {
        watches.close();
    }

    @Test
    void aHundredWatchersOfOneDocumentShareItsReadsAndAreEachToldEveryChangeInOrder() throws Exception {
        history.append(view(DOCUMENT, 1, "PENDING"));
        CountDownLatch release = history.holdReads();
        List<Recorder> watchers = new ArrayList<>();
        watchers.add(watch());
        history.awaitReadStarted();
        for (int i = 1; i < 100; i++) {
            watchers.add(watch());
        }
        release.countDown();

        for (Recorder watcher : watchers) {
            assertThat(watcher.next()).isEqualTo(List.of(new Change(0, view(DOCUMENT, 1, "PENDING"))));
        }
        assertThat(history.reads()).as("the first watcher's read, then one for the 99 that came during it")
                .isEqualTo(2);

        history.append(view(DOCUMENT, 1, "PROCESSING"));
        history.append(view(DOCUMENT, 1, "INDEXED"));
        watches.changed(CUSTOMER, DOCUMENT);

        for (Recorder watcher : watchers) {
            assertThat(watcher.next()).isEqualTo(List.of(new Change(1, view(DOCUMENT, 1, "PROCESSING")),
                    new Change(2, view(DOCUMENT, 1, "INDEXED"))));
        }
        assertThat(history.reads()).as("one more read for the change, whatever the number of watchers").isEqualTo(3);
    }

    @Test
    void aChangeMadeWhileTheFirstStateIsReadIsToldRightAfterIt() throws Exception {
        history.append(view(DOCUMENT, 1, "PENDING"));
        CountDownLatch release = history.holdReads();
        Recorder watcher = watch();
        history.awaitReadStarted();

        history.append(view(DOCUMENT, 1, "PROCESSING"));
        watches.changed(CUSTOMER, DOCUMENT);
        release.countDown();

        assertThat(watcher.next()).isEqualTo(List.of(new Change(0, view(DOCUMENT, 1, "PENDING"))));
        assertThat(watcher.next()).isEqualTo(List.of(new Change(1, view(DOCUMENT, 1, "PROCESSING"))));
        assertThat(history.reads()).isEqualTo(2);
    }

    @Test
    void progressReachesWatchersWithoutAReadAndComesWithAFirstState() throws Exception {
        history.append(view(DOCUMENT, 1, "PROCESSING"));
        Recorder first = watch();
        assertThat(first.next()).isEqualTo(List.of(new Change(0, view(DOCUMENT, 1, "PROCESSING"))));

        ProgressTracker.Progress report = progress.record(report(4, 10));
        watches.progressed(CUSTOMER, DOCUMENT, report);
        Recorder second = watch();

        assertThat(first.next()).isEqualTo(report);
        assertThat(second.next()).isEqualTo(List.of(new Change(0, view(DOCUMENT, 1, "PROCESSING"))));
        assertThat(second.next()).as("the latest report, with the first state").isEqualTo(report);
        assertThat(history.reads()).as("one read per watcher's first state, none for progress").isEqualTo(2);
    }

    @Test
    void documentsNobodyWatchesCostNothing() throws Exception {
        history.append(view(DOCUMENT, 1, "PENDING"));
        Runnable unwatch = watches.watch(CUSTOMER, DOCUMENT, new Recorder());
        awaitReads(1);

        unwatch.run();
        watches.changed(CUSTOMER, DOCUMENT);
        watches.changed(CUSTOMER, "another-document");
        watches.refreshAll();

        assertThat(watches.watched()).isZero();
        Thread.sleep(200);
        assertThat(history.reads()).isEqualTo(1);
    }

    @Test
    void aFailedFirstReadIsToldSoTheStreamIsRefused() throws Exception {
        DocumentWatches failing = new DocumentWatches((customerId, documentId, from) -> {
            throw new IllegalStateException("the database is down");
        }, progress);
        try {
            Recorder watcher = new Recorder();
            failing.watch(CUSTOMER, DOCUMENT, watcher);

            assertThat(watcher.next()).isInstanceOf(IllegalStateException.class);
        } finally {
            failing.close();
        }
    }

    private Recorder watch() {
        Recorder recorder = new Recorder();
        watches.watch(CUSTOMER, DOCUMENT, recorder);
        return recorder;
    }

    private void awaitReads(int reads) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (history.reads() < reads && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(history.reads()).isEqualTo(reads);
    }

    private static IngestionProgress report(int embedded, int total) {
        return IngestionProgress.newBuilder().setCustomerId(CUSTOMER).setDocumentId(DOCUMENT).setVersion(1)
                .setStage("embed").setChunksEmbedded(embedded).setChunksTotal(total)
                .setReportedAt(Instant.now()).build();
    }

    /** What a watcher was told, in order: lists of changes, progress reports, a failure. */
    private static final class Recorder implements DocumentWatches.Watcher {

        private final BlockingQueue<Object> told = new LinkedBlockingQueue<>();

        Object next() throws InterruptedException {
            Object next = told.poll(10, TimeUnit.SECONDS);
            assertThat(next).as("told something").isNotNull();
            return next;
        }

        @Override
        public void changed(List<Change> changes) {
            told.add(changes);
        }

        @Override
        public void progressed(ProgressTracker.Progress report) {
            told.add(report);
        }

        @Override
        public void failed(RuntimeException cause) {
            told.add(cause);
        }

        @Override
        public void vanished() {
            told.add("vanished");
        }
    }
}
