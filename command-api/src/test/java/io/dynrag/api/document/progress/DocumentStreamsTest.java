package io.dynrag.api.document.progress;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dynrag.api.document.DocumentView;
import io.dynrag.domain.customer.CustomerCeilings;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.identity.access.Access;
import io.dynrag.identity.credentials.Principal;
import io.dynrag.identity.ratelimit.RateLimits;
import io.dynrag.platform.http.Json;
import io.dynrag.platform.testing.MutableClock;
import io.dynrag.platform.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static io.dynrag.api.document.progress.RecordedHistory.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DocumentStreamsTest {

    /** Ten seconds into a minute, well inside a day. */
    private static final Instant NOON = Instant.parse("2031-03-14T12:00:10Z");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MutableClock clock = new MutableClock(NOON);
    private final RecordedHistory history = new RecordedHistory();
    private final ProgressTracker progress = new ProgressTracker(clock);
    private final DocumentWatches watches = new DocumentWatches(history, progress);
    private final DocumentStreams streams = new DocumentStreams(new DocumentStreams.Limits(3, 2), watches, clock);

    @AfterEach
    void close() {
        streams.close();
        watches.close();
    }

    @Test
    void aStreamShowsEveryStatusChangeAndTheProgressInOrderAndEndsOnAFinalStatus() throws Exception {
        history.append(view("doc", 1, "PENDING"));
        Sink sink = run(open("customer", "doc", () -> true));
        assertThat(sink.next()).isEqualTo(new Sent("status", view("doc", 1, "PENDING")));

        history.append(view("doc", 1, "PROCESSING"));
        watches.changed("customer", "doc");
        assertThat(sink.next()).isEqualTo(new Sent("status", view("doc", 1, "PROCESSING")));
        watches.progressed("customer", "doc", report(2, 3, 10));
        watches.progressed("customer", "doc", report(1, 3, 10));
        assertThat(sink.next()).as("a report on another version is not news")
                .isEqualTo(new Sent("progress", new DocumentView.Progress("embed", 3, 10)));
        watches.progressed("customer", "doc", report(1, 3, 10));
        watches.progressed("customer", "doc", report(1, 6, 10));
        assertThat(sink.next()).as("a repeated report is told once")
                .isEqualTo(new Sent("progress", new DocumentView.Progress("embed", 6, 10)));
        history.append(view("doc", 1, "INDEXED"));
        watches.changed("customer", "doc");

        assertThat(sink.next()).isEqualTo(new Sent("status", view("doc", 1, "INDEXED")));
        assertThat(sink.awaitClosed()).isTrue();
        awaitOpenStreams("customer", 0);
        assertThat(watches.watched()).isZero();
    }

    @Test
    void streamsPastTheLimitsAreRefusedAndAStreamThatEndsFreesItsSlotAtOnce() throws Exception {
        for (String document : List.of("a1", "b1", "c1")) {
            history.append(view(document, 1, "PROCESSING"));
        }
        DocumentStream first = open("a", "a1", () -> true);
        Sink firstSink = run(first);
        run(open("a", "a1", () -> true));

        assertThatThrownBy(() -> open("a", "a1", () -> true)).isInstanceOf(DocumentStreams.LimitReached.class)
                .hasMessageContaining("you have 2 open event streams");
        DocumentStream neverRun = open("b", "b1", () -> true);
        assertThatThrownBy(() -> open("c", "c1", () -> true)).isInstanceOf(DocumentStreams.LimitReached.class)
                .hasMessageContaining("this server has 3 open event streams");

        first.stop();
        assertThat(firstSink.awaitClosed()).isTrue();
        awaitOpenStreams("a", 1);
        run(open("c", "c1", () -> true));
        neverRun.close();
        assertThat(streams.openStreams("b")).as("a stream that could not start frees its slot too").isZero();
        run(open("b", "b1", () -> true));
    }

    @Test
    void eachFurtherMinuteOpenCountsAsOneMoreRequestUntilTheRateLimitEndsTheStream() throws Exception {
        TestDatabase database = TestDatabase.get();
        RateLimits limits = new RateLimits(database.dataSource(), clock,
                new CustomerCeilings(1_000_000, 1_000_000_000, 10_000_000, 1L << 40));
        String customer = customer(database, 100, 4);
        // Counting needs no credential: the caller was authenticated when the stream opened.
        Access access = new Access(null, limits);
        Access.CustomerCaller caller = new Access.CustomerCaller(customer, new Principal.CustomerUser(customer, "u1"));
        assertThat(limits.take(customer, null).orElseThrow().refused()).as("the request that opens it").isFalse();
        history.append(view("doc", 1, "PROCESSING"));
        Sink sink = run(open(customer, "doc", () -> access.countAgain(caller)));
        assertThat(sink.next().name()).isEqualTo("status");

        clock.advance(Duration.ofSeconds(59));
        streams.tick();
        assertThat(sink.next()).as("a heartbeat, after 15 s without news").isEqualTo(new Sent(":", "still working"));
        assertThat(requestsToday(limits, customer)).isEqualTo(1);
        for (int minute = 1; minute <= 3; minute++) {
            clock.advance(Duration.ofSeconds(1));
            streams.tick();
            awaitRequestsToday(limits, customer, 1 + minute);
            clock.advance(Duration.ofSeconds(59));
            streams.tick();
            assertThat(sink.next()).isEqualTo(new Sent(":", "still working"));
            assertThat(requestsToday(limits, customer)).as("minute " + minute + " counted once").isEqualTo(1 + minute);
        }
        clock.advance(Duration.ofSeconds(1));
        streams.tick();

        assertThat(sink.next()).isEqualTo(new Sent(":", "the rate limit is reached; reconnect later"));
        assertThat(sink.awaitClosed()).isTrue();
        awaitOpenStreams(customer, 0);
        assertThat(requestsToday(limits, customer)).as("the refused minute is counted nowhere").isEqualTo(4);
    }

    @Test
    void aStreamEndsAtItsLongestDurationWithoutCountingTheMinuteThatWouldFollow() throws Exception {
        history.append(view("doc", 1, "PROCESSING"));
        AtomicInteger minutesCounted = new AtomicInteger();
        Sink sink = run(open("customer", "doc", () -> minutesCounted.incrementAndGet() > 0));
        assertThat(sink.next().name()).isEqualTo("status");

        clock.advance(DocumentStreams.LONGEST_STREAM.minusSeconds(1));
        streams.tick();
        assertThat(sink.next()).isEqualTo(new Sent(":", "still working"));
        assertThat(minutesCounted).hasValue(29);
        clock.advance(Duration.ofSeconds(1));
        streams.tick();

        assertThat(sink.next().name()).isEqualTo(":");
        assertThat(sink.awaitClosed()).isTrue();
        assertThat(minutesCounted).hasValue(29);
        awaitOpenStreams("customer", 0);
    }

    private DocumentStream open(String customerId, String documentId, BooleanSupplier chargeFurtherMinute) {
        DocumentStream stream = streams.open(customerId, documentId, chargeFurtherMinute);
        assertThat(stream.awaitFirstState(WAIT)).isTrue();
        return stream;
    }

    private static Sink run(DocumentStream stream) {
        Sink sink = new Sink();
        Thread.ofVirtual().start(() -> stream.run(sink));
        return sink;
    }

    /** A stream frees its slot right after it has finished its answer. */
    private void awaitOpenStreams(String customerId, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (streams.openStreams(customerId) != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(streams.openStreams(customerId)).isEqualTo(expected);
    }

    private static ProgressTracker.Progress report(int version, int embedded, int total) {
        return new ProgressTracker.Progress(version, "embed", embedded, total, NOON);
    }

    private static int requestsToday(RateLimits limits, String customer) {
        return limits.peek(customer, null).orElseThrow().customer().day().used();
    }

    private static void awaitRequestsToday(RateLimits limits, String customer, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (requestsToday(limits, customer) < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(requestsToday(limits, customer)).isEqualTo(expected);
    }

    private static String customer(TestDatabase database, int perMinute, int perDay) {
        String id = "streams-" + UUID.randomUUID();
        String configuration;
        try {
            configuration = Json.apiMapper().writeValueAsString(new CustomerConfiguration(perMinute, perDay, 100,
                    1_000_000, CustomerConfiguration.SUPPORTED_CONTENT_TYPES, 120, 0, CustomerConfiguration.LOCAL_MODEL,
                    null, CustomerConfiguration.DEFAULT_BUDGET_ALERT_PERCENT, null, 30));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement insert = connection.prepareStatement("""
                     INSERT INTO customer_account (customer_id, status, configuration, registered_at, updated_at)
                     VALUES (?, 'ACTIVE', CAST(? AS JSONB), now(), now())""")) {
            insert.setString(1, id);
            insert.setString(2, configuration);
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return id;
    }

    /** An event ({@code name}, data) or a comment ({@code ":"}, text) the stream sent. */
    private record Sent(String name, Object data) {
    }

    /** The client's side of a stream. */
    private static final class Sink implements DocumentStream.Sink {

        private final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
        private final CountDownLatch closed = new CountDownLatch(1);

        Sent next() throws InterruptedException {
            Sent next = sent.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(next).as("something sent").isNotNull();
            return next;
        }

        boolean awaitClosed() throws InterruptedException {
            return closed.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        @Override
        public boolean event(String name, Object data) {
            sent.add(new Sent(name, data));
            return true;
        }

        @Override
        public boolean comment(String text) {
            sent.add(new Sent(":", text));
            return true;
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }
}
