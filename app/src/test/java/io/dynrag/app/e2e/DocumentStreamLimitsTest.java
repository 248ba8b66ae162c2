package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.dynrag.app.roles.RunningRoles;
import io.dynrag.pipeline.embedding.openai.FakeOpenAiServer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many open document event streams: what they cost the database (nothing while nothing changes), and
 * the limits on how many stay open. The documents stay in progress because the embedding provider (a
 * local stand-in) holds its answers until the test lets them go.
 */
@Tag("e2e")
class DocumentStreamLimitsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROVIDER_KEY = "sk-test-streams-0123456789";
    private static final int STREAMS = 100;
    /** Longer than indexing: on a busy machine the pipeline may still be finishing earlier tests' documents. */
    private static final Duration HELD_TIMEOUT = TestSystem.INDEXING_TIMEOUT.multipliedBy(2);

    private final TestSystem system = TestSystem.shared();
    private final ApiClient api = system.api();
    private final CountDownLatch release = new CountDownLatch(1);
    /** Documents held by the provider, each with its owner's key. */
    private final List<String[]> held = new ArrayList<>();
    private final List<DocumentEventStream> streams = new ArrayList<>();
    private FakeOpenAiServer openAi;

    @BeforeEach
    void startProvider() throws Exception {
        openAi = FakeOpenAiServer.start(PROVIDER_KEY, 1536);
    }

    /** Lets the pipeline finish the held documents before the provider goes, so it never waits for one. */
    @AfterEach
    void finish() {
        streams.forEach(DocumentEventStream::close);
        release.countDown();
        try {
            for (String[] document : held) {
                await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> api.get("/v1/documents/" + document[1],
                        document[0]).json().get("status").asText(), status -> List.of("INDEXED", "FAILED").contains(status));
            }
        } finally {
            openAi.close();
        }
    }

    @Test
    void aHundredOpenStreamsReadNothingWhileNothingChangesAndLeaveThePoolToOtherTenants() throws Exception {
        try (RunningRoles instance = system.startAnotherApi(Map.of(
                "DYNRAG_SSE_MAX_STREAMS_PER_CUSTOMER", Integer.toString(STREAMS)))) {
            String base = new ApiClient(instance.httpPort()).baseUrl();
            String watcher = customerEmbeddingWithTheProvider("Watches A Lot");
            String documentId = heldDocument(watcher);

            for (int i = 0; i < STREAMS; i++) {
                streams.add(DocumentEventStream.open(base, watcher, documentId));
            }
            for (DocumentEventStream stream : streams) {
                DocumentEventStream.Event first = stream.next();
                assertThat(first.name()).isEqualTo("status");
                assertThat(first.data().get("status").asText()).isIn("PENDING", "PROCESSING");
            }

            String tenant = system.registerCustomer("Ordinary Tenant");
            awaitHeldByTheProvider(streams.getFirst(), watcher, documentId);
            Instant quietSince = Instant.now();

            ApiClient other = new ApiClient(instance.httpPort());
            PoolWatch pool = PoolWatch.start(instance.commandPool());
            int answered = 0;
            try {
                for (int i = 0; i < 25; i++) {
                    for (String path : List.of("/v1/customer/config", "/v1/api-keys")) {
                        ApiClient.Response response = other.get(path, tenant);
                        assertThat(response.status()).as(response.body()).isEqualTo(200);
                        answered++;
                    }
                }
            } finally {
                pool.stop();
            }
            assertThat(answered).isEqualTo(50);
            assertThat(pool.mostWaiting()).as("requests that waited for a database connection").isZero();
            assertThat(pool.mostActive()).as("database connections in use at once, of 10").isLessThanOrEqualTo(5);

            // PostgreSQL adds a connection's scans to its counts once it is idle, at the latest 10 s later:
            // the streams' first reads are counted before the window opens.
            Thread.sleep(Math.max(0, Duration.ofSeconds(11).minus(Duration.between(quietSince, Instant.now())).toMillis()));
            long readsBefore = documentEventReads();
            Thread.sleep(3_000);
            long reads = documentEventReads() - readsBefore;
            System.out.printf("%d streams open: %d reads of a document's events in 3 s; another tenant's requests: "
                    + "at most %d connections in use, %d waiting%n", STREAMS, reads, pool.mostActive(), pool.mostWaiting());
            assertThat(reads).as("reads of a document's events in 3 s with %d streams open (polling read each "
                    + "stream's document every 300 ms)", STREAMS).isLessThan(STREAMS);

            release.countDown();
            for (DocumentEventStream stream : streams) {
                List<String> statuses = stream.untilEnd().stream().filter(event -> event.name().equals("status"))
                        .map(event -> event.data().get("status").asText()).toList();
                assertThat(statuses.getLast()).isEqualTo("INDEXED");
                assertThat(List.of("PENDING", "PROCESSING", "INDEXED")).containsSubsequence(statuses);
            }
        }
    }

    @Test
    void streamsPastEitherLimitAreRefusedAndAClientThatGoesAwayFreesItsSlotAtOnce() throws Exception {
        try (RunningRoles instance = system.startAnotherApi(Map.of(
                "DYNRAG_SSE_MAX_STREAMS", "3",
                "DYNRAG_SSE_MAX_STREAMS_PER_CUSTOMER", "2"))) {
            String base = new ApiClient(instance.httpPort()).baseUrl();
            String first = customerEmbeddingWithTheProvider("First Watcher");
            String second = customerEmbeddingWithTheProvider("Second Watcher");
            String third = system.registerCustomer("Third Watcher");
            String firstDocument = heldDocument(first);
            String secondDocument = heldDocument(second);
            String thirdDocument = system.uploadDocument(third, "note.txt", "A short note about tides.");

            DocumentEventStream leaving = watch(base, first, firstDocument);
            watch(base, first, firstDocument);
            assertRefused(DocumentEventStream.request(base, first, firstDocument), "you have 2 open event streams");
            watch(base, second, secondDocument);
            assertRefused(DocumentEventStream.request(base, third, thirdDocument), "this server has 3 open event streams");

            // The provider holds the document in the embed stage: nothing more is sent until the heartbeat,
            // 15 s after the last event, the write that would otherwise reveal a client that went away.
            awaitHeldByTheProvider(leaving, first, firstDocument);
            leaving.close();

            AtomicReference<HttpResponse<InputStream>> admitted = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                HttpResponse<InputStream> response = DocumentEventStream.request(base, third, thirdDocument);
                if (response.statusCode() == 200) {
                    admitted.set(response);
                    return true;
                }
                assertThat(response.statusCode()).isEqualTo(429);
                DocumentEventStream.body(response);
                return false;
            });
            admitted.get().body().close();
        }
    }

    /**
     * Waits until the stream shows the document PROCESSING and the provider holds an embedding request: from
     * then on nothing changes until the test releases it. The pipeline's progress reports are best effort (a
     * lost one is superseded by the next), so the stream's {@code embed} report is waited for only briefly.
     */
    private void awaitHeldByTheProvider(DocumentEventStream stream, String key, String documentId) {
        try {
            await().atMost(HELD_TIMEOUT).until(() -> openAi.requestCount() > 0 && showsStatus(stream, "PROCESSING"));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("document %s was not held by the provider: %d requests reached it, the stream "
                    + "received %s, the document reads %s".formatted(documentId, openAi.requestCount(),
                    stream.received(), api.get("/v1/documents/" + documentId, key).body()), e);
        }
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> stream.received().stream().anyMatch(event ->
                    event.name().equals("progress") && event.data().get("stage").asText().equals("embed")));
        } catch (ConditionTimeoutException e) {
            System.out.println("The embed stage's progress report did not reach the stream: " + stream.received());
        }
    }

    private static boolean showsStatus(DocumentEventStream stream, String status) {
        return stream.received().stream().anyMatch(event -> event.name().equals("status")
                && event.data().get("status").asText().equals(status));
    }

    private DocumentEventStream watch(String base, String credential, String documentId) throws Exception {
        DocumentEventStream stream = DocumentEventStream.open(base, credential, documentId);
        streams.add(stream);
        assertThat(stream.next().name()).isEqualTo("status");
        return stream;
    }

    private static void assertRefused(HttpResponse<InputStream> response, String detail) throws Exception {
        if (response.statusCode() != 429) {
            // An accepted stream would not end by itself.
            response.body().close();
        }
        assertThat(response.statusCode()).isEqualTo(429);
        String body = DocumentEventStream.body(response);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        JsonNode problem = JSON.readTree(body);
        assertThat(problem.get("status").asInt()).isEqualTo(429);
        assertThat(problem.get("detail").asText()).contains(detail);
    }

    private String customerEmbeddingWithTheProvider(String name) {
        String key = system.registerCustomer(name);
        ApiClient.Response stored = api.putJson("/v1/customer/provider-key", key, "{\"provider\": \"openai\", "
                + "\"apiKey\": \"" + PROVIDER_KEY + "\", \"baseUrl\": \"" + openAi.baseUrl() + "\"}");
        assertThat(stored.status()).as(stored.body()).isEqualTo(200);
        ApiClient.Response configured = api.putJson("/v1/customer/config", key,
                "{\"embeddingModel\": \"text-embedding-3-small\"}");
        assertThat(configured.status()).as(configured.body()).isEqualTo(200);
        return key;
    }

    /** A document the pipeline cannot finish until the test releases the provider. */
    private String heldDocument(String key) {
        openAi.script(FakeOpenAiServer.Reply.heldUntil(release));
        String documentId = system.uploadDocument(key, "tides.txt", "The moon pulls the sea into two bulges.");
        held.add(new String[]{key, documentId});
        return documentId;
    }

    /**
     * Reads of one document's events so far, as PostgreSQL counts them: scans of the event store's index by
     * aggregate, and whole-table scans. (The publisher's reads in global order use another index.)
     */
    private long documentEventReads() {
        return system.database().count("""
                SELECT (SELECT coalesce(sum(s.idx_scan), 0) FROM pg_stat_user_indexes s
                        JOIN pg_index i ON i.indexrelid = s.indexrelid
                        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                        WHERE s.schemaname = 'command' AND s.relname = 'domain_event_entry'
                          AND a.attname = 'aggregate_identifier')
                     + (SELECT coalesce(sum(seq_scan), 0) FROM pg_stat_user_tables
                        WHERE schemaname = 'command' AND relname = 'domain_event_entry')""");
    }

    /** Samples a connection pool until stopped: the most connections in use, and the most callers waiting. */
    private static final class PoolWatch {

        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger mostActive = new AtomicInteger();
        private final AtomicInteger mostWaiting = new AtomicInteger();
        private final Thread thread;

        private PoolWatch(HikariPoolMXBean pool) {
            this.thread = Thread.ofPlatform().daemon().name("pool-watch").start(() -> {
                while (running.get()) {
                    mostActive.accumulateAndGet(pool.getActiveConnections(), Math::max);
                    mostWaiting.accumulateAndGet(pool.getThreadsAwaitingConnection(), Math::max);
                    LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
                }
            });
        }

        static PoolWatch start(HikariPoolMXBean pool) {
            return new PoolWatch(pool);
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }

        int mostActive() {
            return mostActive.get();
        }

        int mostWaiting() {
            return mostWaiting.get();
        }
    }
}
