package io.dynrag.pipeline.deadline;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * The time one document's processing may take, and the checkpoint that ends it once that time is
 * up or the pipeline has given up on the document.
 *
 * <p>{@link DocumentWorkers} runs a document's extraction, chunking and embedding on a worker
 * thread under a deadline and makes it the thread's current one. Code on that thread calls
 * {@link #check()} in every loop whose length depends on the document (per line, per block, per
 * batch): it returns at once while there is time left and throws {@link DeadlineExceededException}
 * after that. A regular expression checks nothing while it matches, so text that a regex scans is
 * passed through {@link #guard(CharSequence)}: the guarded text throws from {@code charAt} once the
 * document was given up on, which ends even a match that backtracks for hours. Outside a worker
 * (tests, benchmarks) both are no-ops.
 *
 * <p>Side effects belong to the stream thread, which writes only when the worker finished in time.
 * A worker that must do something visible while it runs (a progress report) does it through
 * {@link #unlessGivenUp(Runnable)}, so nothing it does can come after the pipeline gave up on it.
 */
public final class DocumentDeadline {

    private static final ThreadLocal<DocumentDeadline> CURRENT = new ThreadLocal<>();

    private enum State { RUNNING, FINISHED, GIVEN_UP }

    private final Duration limit;
    private final long expiresAtNanos;
    private volatile String stage = "start";
    private volatile State state = State.RUNNING;

    DocumentDeadline(Duration limit, long startNanos) {
        this.limit = limit;
        this.expiresAtNanos = startNanos + limit.toNanos();
    }

    /**
     * The checkpoint for long loops: throws once the current document's time is up or the pipeline
     * gave up on it; does nothing on a thread that is not processing a document.
     *
     * @throws DeadlineExceededException when the document must stop
     */
    public static void check() {
        DocumentDeadline deadline = CURRENT.get();
        if (deadline != null) {
            deadline.checkNow();
        }
    }

    /**
     * The text as a {@link CharSequence} that a regular expression can be abandoned on: reading a
     * character throws {@link DeadlineExceededException} once the current document was given up on
     * (and, every few thousand characters, once its time is up). Use it wherever a document's text
     * is matched: {@code PATTERN.matcher(DocumentDeadline.guard(text))}. Groups and
     * {@code toString()} give plain strings. Returns {@code text} itself on a thread that is not
     * processing a document.
     */
    public static CharSequence guard(CharSequence text) {
        DocumentDeadline deadline = CURRENT.get();
        return deadline == null ? text : new GuardedText(text, deadline);
    }

    /** Names the stage now running (fetch, extract, chunk, embed), for the reason, after a {@link #check()}. */
    public void enter(String stage) {
        this.stage = stage;
        checkNow();
    }

    /**
     * Runs a side effect of the worker (a progress report) only while the stream thread still waits
     * for it; giving up waits for a side effect under way, so none can follow it.
     *
     * @throws DeadlineExceededException instead of running it once the document was given up on
     */
    public synchronized void unlessGivenUp(Runnable sideEffect) {
        checkNow();
        sideEffect.run();
    }

    void checkNow() {
        if (state == State.GIVEN_UP || System.nanoTime() - expiresAtNanos > 0) {
            throw exceeded();
        }
    }

    long remainingNanos() {
        return expiresAtNanos - System.nanoTime();
    }

    boolean isOver() {
        return state == State.GIVEN_UP || remainingNanos() <= 0;
    }

    /** The worker finished before anyone gave up: its result counts. */
    synchronized boolean finish() {
        if (state != State.RUNNING) {
            return false;
        }
        state = State.FINISHED;
        return true;
    }

    /** @return true if the document was still running and is now given up on (its result will not count) */
    synchronized boolean giveUp() {
        if (state != State.RUNNING) {
            return false;
        }
        state = State.GIVEN_UP;
        return true;
    }

    boolean isGivenUp() {
        return state == State.GIVEN_UP;
    }

    String stage() {
        return stage;
    }

    DeadlineExceededException exceeded() {
        return new DeadlineExceededException("indexing took longer than the limit of " + describe(limit)
                + " (in the " + stage + " stage)", false);
    }

    void makeCurrent() {
        CURRENT.set(this);
    }

    static void clearCurrent() {
        CURRENT.remove();
    }

    static String describe(Duration duration) {
        long millis = duration.toMillis();
        return millis == 1000 ? "1 second"
                : BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + " seconds";
    }

    /**
     * A document ran out of time. The message is the reason the user sees.
     *
     * @param retryable true when the document itself was not what took the time (it waited for a worker)
     */
    public static final class DeadlineExceededException extends RuntimeException {

        private final boolean retryable;

        DeadlineExceededException(String message, boolean retryable) {
            super(message, null, false, false);
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }
    }

    /** Text whose characters can no longer be read once its document was given up on. */
    private static final class GuardedText implements CharSequence {

        /** How many reads between two looks at the clock; the given-up flag is read every time. */
        private static final int CLOCK_READS = 1 << 12;

        private final CharSequence text;
        private final DocumentDeadline deadline;
        private int reads;

        GuardedText(CharSequence text, DocumentDeadline deadline) {
            this.text = text;
            this.deadline = deadline;
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            if (deadline.state == State.GIVEN_UP || (++reads & (CLOCK_READS - 1)) == 0) {
                deadline.checkNow();
            }
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new GuardedText(text.subSequence(start, end), deadline);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
