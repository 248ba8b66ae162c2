package io.dynrag.api.document.url;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FetchAdmissionTest {

    private static final long PAGE = 1_000;

    /** Three fetches in the process, two per customer; bytes for five pages, three per customer. */
    private static FetchAdmission admission(Duration queueWait) {
        return new FetchAdmission(new FetchBounds(3, 2, 5 * PAGE, 3 * PAGE, queueWait));
    }

    @Test
    void aCustomerBeyondItsShareIsToldToRetryWhileAnotherCustomerIsStillAdmitted() {
        FetchAdmission admission = admission(Duration.ZERO);
        admission.admit("a", PAGE);
        admission.admit("a", PAGE);

        assertThat(Answered.by(() -> admission.admit("a", PAGE))).satisfies(problem -> {
            assertThat(problem.status()).isEqualTo(429);
            assertThat(problem.detail()).contains("2 at once");
            assertThat(problem.retryAfter()).contains(FetchAdmission.RETRY_AFTER);
        });
        assertThat(admission.admit("b", PAGE).bytes()).isEqualTo(PAGE);
    }

    @Test
    void aFullProcessRefusesEveryCustomerWithServiceUnavailable() {
        FetchAdmission admission = admission(Duration.ZERO);
        admission.admit("a", PAGE);
        admission.admit("a", PAGE);
        admission.admit("b", PAGE);

        assertThat(Answered.by(() -> admission.admit("c", PAGE))).satisfies(problem -> {
            assertThat(problem.status()).isEqualTo(503);
            assertThat(problem.retryAfter()).contains(FetchAdmission.RETRY_AFTER);
        });
        assertThat(Answered.by(() -> admission.admit("a", PAGE))).as("a's own share is full as well")
                .satisfies(problem -> assertThat(problem.status()).isEqualTo(429));
    }

    @Test
    void theReservedBytesAreBoundedPerCustomerAndInTheProcess() {
        FetchAdmission admission = admission(Duration.ZERO);
        admission.admit("a", 2 * PAGE);
        assertThat(Answered.by(() -> admission.admit("a", 2 * PAGE))).as("four pages of a's, three allowed")
                .satisfies(problem -> assertThat(problem.status()).isEqualTo(429));
        admission.admit("a", PAGE);
        admission.admit("b", PAGE);

        assertThat(Answered.by(() -> admission.admit("c", 2 * PAGE))).as("six pages in the process, five allowed")
                .satisfies(problem -> assertThat(problem.status()).isEqualTo(503));
        assertThatThrownBy(() -> admission.admit("c", 4 * PAGE)).as("more than a customer may ever hold")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aWaitingFetchIsAdmittedWhenAnotherGivesItsRoomBackAndARoomIsGivenBackOnce() throws Exception {
        FetchAdmission admission = admission(Duration.ofMinutes(1));
        FetchAdmission.Room first = admission.admit("a", PAGE);
        admission.admit("a", PAGE);
        try (ExecutorService waiters = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<FetchAdmission.Room> waiting = waiters.submit(() -> admission.admit("a", PAGE));
            assertThat(waiting.isDone()).isFalse();

            first.close();
            first.close();

            assertThat(waiting.get(30, TimeUnit.SECONDS).bytes()).isEqualTo(PAGE);
        }
        FetchAdmission refusing = admission(Duration.ZERO);
        FetchAdmission.Room room = refusing.admit("a", PAGE);
        refusing.admit("a", PAGE);
        room.close();
        room.close();
        refusing.admit("a", PAGE);
        assertThat(Answered.by(() -> refusing.admit("a", PAGE))).as("the room was given back once, not twice")
                .isNotNull();
    }

    /** Many fetches of one customer queue within its share; another customer's go ahead of them. */
    @Test
    void oneCustomersQueueNeverTakesMoreThanItsShareNorKeepsOthersOut() throws Exception {
        FetchAdmission admission = admission(Duration.ofMinutes(1));
        List<FetchAdmission.Room> held = List.of(admission.admit("a", PAGE), admission.admit("a", PAGE));
        // Counted up after a room is taken and down before it is given back: never more than a really holds.
        AtomicInteger holding = new AtomicInteger(held.size());
        AtomicInteger most = new AtomicInteger(held.size());
        try (ExecutorService waiters = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> queued = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                queued.add(waiters.submit(() -> {
                    FetchAdmission.Room room = admission.admit("a", PAGE);
                    most.accumulateAndGet(holding.incrementAndGet(), Math::max);
                    Thread.yield();
                    holding.decrementAndGet();
                    room.close();
                }));
            }

            try (FetchAdmission.Room other = admission.admit("b", PAGE)) {
                assertThat(other.bytes()).isEqualTo(PAGE);
            }
            assertThat(queued).as("b's room is no room for a, whose share is full").noneMatch(Future::isDone);
            for (FetchAdmission.Room room : held) {
                holding.decrementAndGet();
                room.close();
            }
            for (Future<?> waiting : queued) {
                waiting.get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(most.get()).isLessThanOrEqualTo(2);
        assertThat(holding.get()).isZero();
    }
}
