package io.dynrag.pipeline.deadline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Runs one document's processing where the stream thread can leave it behind: on a worker thread of
 * its own, under a {@link DocumentDeadline}. The stream thread waits for the result until the
 * deadline; then it gives up, interrupts the worker and goes on with the next record, so no document
 * holds a partition longer than the deadline, whatever it makes the code do.
 *
 * <p>Java cannot stop a thread that ignores interrupts and checkpoints, so a worker given up on may
 * keep running (a leaked worker; each is logged with where it was). They are bounded: a slot is taken
 * for every worker until its thread ends, there are as many slots as documents processed at once
 * plus {@code maxAbandoned}, and a document that finds no slot free within its deadline fails as
 * retryable instead of starting another thread.
 *
 * <p>Errors of one document's processing stay that document's failure: a {@link StackOverflowError}
 * or {@link OutOfMemoryError} on the worker becomes an {@link UnprocessableDocumentException}; any
 * other error or exception is rethrown on the calling thread as it was.
 */
public final class DocumentWorkers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DocumentWorkers.class);
    /** Frames of a worker's stack that are logged when it is given up on: where it was stuck. */
    private static final int LOGGED_FRAMES = 12;

    private final Semaphore slots;
    private final int maxAbandoned;
    private final Set<Task<?>> running = ConcurrentHashMap.newKeySet();
    private final AtomicInteger abandoned = new AtomicInteger();
    private final AtomicLong started = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param concurrency  documents processed at once (the pipeline's stream threads)
     * @param maxAbandoned workers given up on that may still be running before new documents wait for
     *                     one of them to end
     */
    public DocumentWorkers(int concurrency, int maxAbandoned) {
        if (concurrency < 1 || maxAbandoned < 0) {
            throw new IllegalArgumentException("concurrency must be positive and maxAbandoned not negative: "
                    + concurrency + ", " + maxAbandoned);
        }
        this.slots = new Semaphore(concurrency + maxAbandoned);
        this.maxAbandoned = maxAbandoned;
    }

    /**
     * Runs {@code work} on a worker thread, where {@link DocumentDeadline#check()} and
     * {@link DocumentDeadline#guard(CharSequence)} apply, and waits for its result up to {@code limit}.
     *
     * @param document names the document in log lines
     * @return what {@code work} returned, if it returned within the limit
     * @throws DocumentDeadline.DeadlineExceededException when the limit passed first (the worker is then
     *     given up on), or no worker was free within it
     * @throws UnprocessableDocumentException when the work overflowed its stack or ran out of memory
     * @throws ShuttingDownException when the workers were closed meanwhile: the document was not processed
     */
    public <T> T run(String document, Duration limit, Function<DocumentDeadline, T> work) {
        if (closed) {
            throw new ShuttingDownException();
        }
        DocumentDeadline deadline = new DocumentDeadline(limit, System.nanoTime());
        if (!acquireSlot(deadline)) {
            throw new DocumentDeadline.DeadlineExceededException("indexing took longer than the limit of "
                    + DocumentDeadline.describe(limit) + " (waiting for a worker: " + abandoned.get()
                    + " documents the pipeline gave up on are still being processed)", true);
        }
        Task<T> task = new Task<>(document, deadline, work);
        running.add(task);
        try {
            task.thread.start();
        } catch (RuntimeException | Error e) {
            running.remove(task);
            slots.release();
            throw e;
        }
        return task.await();
    }

    /** Workers given up on whose threads have not ended yet. */
    public int abandonedWorkers() {
        return abandoned.get();
    }

    /**
     * Gives up on every document still running; their callers get a {@link ShuttingDownException}, so
     * that nothing is recorded for those documents and they are processed again after a restart.
     */
    @Override
    public void close() {
        closed = true;
        for (Task<?> task : running) {
            if (task.giveUp("the pipeline is shutting down")) {
                task.result.completeExceptionally(new ShuttingDownException());
            }
        }
    }

    private boolean acquireSlot(DocumentDeadline deadline) {
        try {
            return slots.tryAcquire(Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShuttingDownException();
        }
    }

    private final class Task<T> {

        private final String document;
        private final DocumentDeadline deadline;
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private final long startNanos = System.nanoTime();
        private final Thread thread;

        Task(String document, DocumentDeadline deadline, Function<DocumentDeadline, T> work) {
            this.document = document;
            this.deadline = deadline;
            this.thread = Thread.ofPlatform().name("dynrag-document-worker-" + started.incrementAndGet())
                    .daemon(true).unstarted(() -> run(work));
        }

        /** On the worker thread. */
        private void run(Function<DocumentDeadline, T> work) {
            deadline.makeCurrent();
            try {
                T value = work.apply(deadline);
                if (deadline.finish()) {
                    result.complete(value);
                }
            } catch (StackOverflowError | OutOfMemoryError e) {
                // Both are thrown on the thread that overflowed its own stack or asked for more memory,
                // here the worker processing this document alone: once they have unwound its stack, what
                // the document built is unreachable and the rest of the process is as it was, so the
                // document fails and the pipeline goes on. Other VirtualMachineErrors (InternalError,
                // UnknownError) say the JVM itself is in an unknown state; they are not caught here.
                log.warn("Processing {} failed with {} at {}", document, e, frames(e.getStackTrace()));
                deadline.finish();
                result.completeExceptionally(new UnprocessableDocumentException(e));
            } catch (Throwable e) {
                deadline.finish();
                result.completeExceptionally(e);
            } finally {
                DocumentDeadline.clearCurrent();
                ended();
            }
        }

        private void ended() {
            running.remove(this);
            int left;
            synchronized (deadline) {
                left = deadline.isGivenUp() ? abandoned.decrementAndGet() : -1;
            }
            slots.release();
            if (left >= 0) {
                log.info("The worker of {}, given up on, ended {} after it started ({} given-up workers still "
                                + "running)", document,
                        DocumentDeadline.describe(Duration.ofNanos(System.nanoTime() - startNanos)), left);
            }
        }

        /** On the calling thread. */
        T await() {
            try {
                try {
                    return result.get(Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    if (giveUp("its time was up")) {
                        throw deadline.exceeded();
                    }
                    return result.get();   // it ended just now, in time: what it ended with counts
                }
            } catch (ExecutionException e) {
                throw failure(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                giveUp("the waiting thread was interrupted");
                throw new ShuttingDownException();
            }
        }

        private RuntimeException failure(Throwable cause) {
            if (!(cause instanceof ShuttingDownException) && !(cause instanceof UnprocessableDocumentException)
                    && deadline.isOver()) {
                // The work may have stopped at the deadline's checkpoint, or failed otherwise once code
                // caught what the checkpoint threw (a "damaged" file): the reason is the deadline all the same.
                return deadline.exceeded();
            }
            if (cause instanceof RuntimeException runtime) {
                return runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            return new IllegalStateException("processing " + document + " failed", cause);
        }

        /** @return true if the worker was still running and is now given up on */
        boolean giveUp(String why) {
            int count;
            synchronized (deadline) {
                if (!deadline.giveUp()) {
                    return false;
                }
                count = abandoned.incrementAndGet();
            }
            StackTraceElement[] stack = thread.getStackTrace();
            thread.interrupt();
            log.warn("Gave up on {} ({}) after {} in the {} stage; its worker {} is interrupted and left behind "
                            + "({} given-up workers running, at most {} before new documents wait). It was at {}",
                    document, why, DocumentDeadline.describe(Duration.ofNanos(System.nanoTime() - startNanos)),
                    deadline.stage(), thread.getName(), count, maxAbandoned, frames(stack));
            return true;
        }
    }

    /** The top of a stack, a run of one frame (a recursion) shown once with its count. */
    private static String frames(StackTraceElement[] stack) {
        StringBuilder out = new StringBuilder();
        int next = 0;
        for (int lines = 0; next < stack.length && lines < LOGGED_FRAMES; lines++) {
            int run = 1;
            while (next + run < stack.length && stack[next + run].equals(stack[next])) {
                run++;
            }
            out.append("\n    ").append(stack[next]).append(run > 1 ? " (" + run + " times)" : "");
            next += run;
        }
        return out.append(next < stack.length ? "\n    ..." : "").toString();
    }

    /** A document the pipeline cannot process at all; the message is the reason the user sees. */
    public static final class UnprocessableDocumentException extends RuntimeException {

        UnprocessableDocumentException(VirtualMachineError error) {
            super("the document could not be processed: " + (error instanceof StackOverflowError
                    ? "it nests too deeply (StackOverflowError)"
                    : "it needs more memory than the pipeline has (OutOfMemoryError)"));
        }
    }

    /** The pipeline is stopping; the document was not processed and must not be recorded as failed. */
    public static final class ShuttingDownException extends RuntimeException {

        ShuttingDownException() {
            super("the pipeline is shutting down");
        }
    }
}
