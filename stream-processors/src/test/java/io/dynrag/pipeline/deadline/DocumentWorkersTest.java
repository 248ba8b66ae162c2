package io.dynrag.pipeline.deadline;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class DocumentWorkersTest {

    private static final Duration SHORT = Duration.ofMillis(300);
    /** A limit no test reaches: the work ends by itself long before. */
    private static final Duration AMPLE = Duration.ofMinutes(5);

    private final CountDownLatch release = new CountDownLatch(1);
    private final DocumentWorkers workers = new DocumentWorkers(1, 1);

    @AfterEach
    void releaseLeftBehindWorkers() {
        release.countDown();
        workers.close();
    }

    @Test
    void aWorkerThatIgnoresInterruptsAndCheckpointsIsLeftBehindWhileTheCallerGoesOn() {
        CountDownLatch ended = new CountDownLatch(1);

        assertThatThrownBy(() -> workers.run("doc-1", SHORT, deadline -> {
            deadline.enter("chunk");
            try {
                ignoreInterruptsUntil(release);
                return "too late";
            } finally {
                ended.countDown();
            }
        })).isInstanceOf(DocumentDeadline.DeadlineExceededException.class)
                .hasMessage("indexing took longer than the limit of 0.3 seconds (in the chunk stage)")
                .satisfies(e -> assertThat(((DocumentDeadline.DeadlineExceededException) e).retryable()).isFalse());

        assertThat(ended.getCount()).as("the caller went on while the worker still runs").isEqualTo(1);
        assertThat(workers.abandonedWorkers()).isEqualTo(1);
        release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> workers.abandonedWorkers() == 0);
        String next = workers.run("doc-2", AMPLE, deadline -> "next");
        assertThat(next).isEqualTo("next");
    }

    @Test
    void workersLeftBehindAreBoundedAndADocumentFindingNoneFreeFailsAsRetryableWithoutRunning() {
        AtomicInteger started = new AtomicInteger();
        for (String document : new String[]{"doc-1", "doc-2"}) {
            assertThatThrownBy(() -> workers.run(document, SHORT, deadline -> {
                started.incrementAndGet();
                ignoreInterruptsUntil(release);
                return "too late";
            })).isInstanceOf(DocumentDeadline.DeadlineExceededException.class);
        }
        assertThat(workers.abandonedWorkers()).as("one stream thread plus one left behind").isEqualTo(2);

        assertThatThrownBy(() -> workers.run("doc-3", SHORT, deadline -> started.incrementAndGet()))
                .isInstanceOf(DocumentDeadline.DeadlineExceededException.class)
                .hasMessageContaining("waiting for a worker: 2 documents the pipeline gave up on")
                .satisfies(e -> assertThat(((DocumentDeadline.DeadlineExceededException) e).retryable()).isTrue());
        assertThat(started).as("no third thread was started").hasValue(2);

        release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> workers.abandonedWorkers() == 0);
        int startedNow = workers.run("doc-4", AMPLE, deadline -> started.incrementAndGet());
        assertThat(startedNow).isEqualTo(3);
    }

    @Test
    void aBacktrackingRegexOverGuardedTextStopsOnceTheDocumentIsGivenUp() {
        // A Markdown heading pattern that backtracks quadratically on one long line: unguarded, this
        // match takes minutes (19 s for a line of 60,000 spaces).
        Pattern catastrophic = Pattern.compile("(?m)^ {0,3}(#{1,6})[ \\t]+(.+?)[ \\t#]*$");
        String text = "# a" + " ".repeat(300_000) + "b";
        CountDownLatch ended = new CountDownLatch(1);

        assertThatThrownBy(() -> workers.run("doc-1", SHORT, deadline -> {
            deadline.enter("chunk");
            try {
                return catastrophic.matcher(DocumentDeadline.guard(text)).find();
            } finally {
                ended.countDown();
            }
        })).isInstanceOf(DocumentDeadline.DeadlineExceededException.class)
                .hasMessageContaining("(in the chunk stage)");

        await().atMost(Duration.ofSeconds(30)).until(() -> ended.getCount() == 0 && workers.abandonedWorkers() == 0);
    }

    @Test
    void theCheckpointEndsALoopThatCallsIt() {
        AtomicReference<Throwable> thrown = new AtomicReference<>();

        assertThatThrownBy(() -> workers.run("doc-1", SHORT, deadline -> {
            try {
                while (true) {
                    DocumentDeadline.check();
                }
            } catch (RuntimeException e) {
                thrown.set(e);
                throw e;
            }
        })).isInstanceOf(DocumentDeadline.DeadlineExceededException.class);

        await().atMost(Duration.ofSeconds(30)).until(() -> thrown.get() != null && workers.abandonedWorkers() == 0);
        assertThat(thrown.get()).isInstanceOf(DocumentDeadline.DeadlineExceededException.class);
    }

    /**
     * The worker's own checkpoint and the caller's wait run out at the same moment: whichever notices
     * first, the document fails with the deadline as its reason.
     */
    @RepeatedTest(100)
    void whenTheWorkerStopsAtTheDeadlineAsTheCallerGivesUpTheReasonIsTheDeadline() {
        assertThatThrownBy(() -> workers.run("doc-1", Duration.ofMillis(20), deadline -> {
            deadline.enter("extract");
            while (true) {
                DocumentDeadline.check();
            }
        })).isInstanceOf(DocumentDeadline.DeadlineExceededException.class)
                // On a busy machine the caller may give up before the worker has entered its stage.
                .hasMessageMatching("indexing took longer than the limit of 0\\.02 seconds \\(in the (start|extract) stage\\)");
    }

    @Test
    void aWorkerGivenUpOnCanNoLongerHaveSideEffects() {
        AtomicInteger sideEffects = new AtomicInteger();
        AtomicReference<Throwable> refused = new AtomicReference<>();

        assertThatThrownBy(() -> workers.run("doc-1", SHORT, deadline -> {
            deadline.unlessGivenUp(sideEffects::incrementAndGet);
            ignoreInterruptsUntil(release);
            try {
                deadline.unlessGivenUp(sideEffects::incrementAndGet);
            } catch (RuntimeException e) {
                refused.set(e);
            }
            return "too late";
        })).isInstanceOf(DocumentDeadline.DeadlineExceededException.class);
        release.countDown();

        await().atMost(Duration.ofSeconds(30)).until(() -> workers.abandonedWorkers() == 0);
        assertThat(sideEffects).as("only the one before the deadline").hasValue(1);
        assertThat(refused.get()).isInstanceOf(DocumentDeadline.DeadlineExceededException.class);
    }

    @Test
    void aStackOverflowFailsTheDocumentAndTheNextOneRuns() {
        assertThatThrownBy(() -> workers.run("doc-1", AMPLE, deadline -> recurse(0)))
                .isInstanceOf(DocumentWorkers.UnprocessableDocumentException.class)
                .hasMessage("the document could not be processed: it nests too deeply (StackOverflowError)");

        String next = workers.run("doc-2", AMPLE, deadline -> "next");
        assertThat(next).isEqualTo("next");
    }

    @Test
    void runningOutOfMemoryFailsTheDocumentAndTheNextOneRuns() {
        assertThatThrownBy(() -> workers.run("doc-1", AMPLE, deadline -> new long[Integer.MAX_VALUE].length))
                .isInstanceOf(DocumentWorkers.UnprocessableDocumentException.class)
                .hasMessage("the document could not be processed: it needs more memory than the pipeline has "
                        + "(OutOfMemoryError)");

        String next = workers.run("doc-2", AMPLE, deadline -> "next");
        assertThat(next).isEqualTo("next");
    }

    @Test
    void otherErrorsAndExceptionsReachTheCallerAsTheyWere() {
        assertThatThrownBy(() -> workers.run("doc-1", AMPLE, deadline -> {
            throw new InternalError("broken");
        })).isInstanceOf(InternalError.class).hasMessage("broken");
        assertThatThrownBy(() -> workers.run("doc-2", AMPLE, deadline -> {
            throw new IllegalArgumentException("bad input");
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("bad input");
    }

    @Test
    void closingGivesUpTheDocumentsRunningWithoutAnOutcome() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CompletableFuture<Object> caller = CompletableFuture.supplyAsync(() -> workers.run("doc-1", AMPLE,
                deadline -> {
                    running.countDown();
                    ignoreInterruptsUntil(release);
                    return "too late";
                }));
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();

        workers.close();

        assertThat(caller).failsWithin(Duration.ofSeconds(30)).withThrowableThat()
                .havingCause().isInstanceOf(DocumentWorkers.ShuttingDownException.class);
        assertThatThrownBy(() -> workers.run("doc-2", AMPLE, deadline -> "never"))
                .isInstanceOf(DocumentWorkers.ShuttingDownException.class);
    }

    @Test
    void outsideAWorkerTheCheckpointAndTheGuardDoNothing() {
        String text = "plain text";
        DocumentDeadline.check();
        assertThat(DocumentDeadline.guard(text)).isSameAs(text);
    }

    @Test
    void guardedTextMatchesLikeTheText() {
        Pattern heading = Pattern.compile("(?m)^#+ (.+)$");
        String text = "intro\n# First\nbody\n## Second\n";

        String titles = workers.run("doc-1", AMPLE, deadline -> {
            var matcher = heading.matcher(DocumentDeadline.guard(text));
            StringBuilder found = new StringBuilder();
            while (matcher.find()) {
                found.append(matcher.group(1)).append(';');
            }
            return found.toString();
        });

        assertThat(titles).isEqualTo("First;Second;");
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    /** What code stuck in a loop that checks nothing does: it ignores interrupts until released. */
    private static void ignoreInterruptsUntil(CountDownLatch release) {
        while (true) {
            try {
                if (release.await(10, TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException ignored) {
                // keeps going, as code that never looks at the flag would
            }
        }
    }
}
