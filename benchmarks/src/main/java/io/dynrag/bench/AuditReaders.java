package io.dynrag.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Auditors paging through the whole event history over and over: the load under which the
 * pipeline should not slow down noticeably. The load can be switched between samples, so that
 * the samples of every load are taken side by side and drift in the machine affects all alike.
 */
final class AuditReaders implements AutoCloseable {

    enum Load {
        NONE(0, Duration.ZERO, "nothing else runs"),
        PACED(1, Duration.ofSeconds(1), "1 auditor paging through all events, a page of 1,000 a second"),
        FLAT_OUT(2, Duration.ZERO, "2 auditors paging through all events flat out");

        final int readers;
        final Duration pause;
        final String description;

        Load(int readers, Duration pause, String description) {
            this.readers = readers;
            this.pause = pause;
            this.description = description;
        }
    }

    private static final int PAGE = 1_000;
    private static final int MAX_READERS = 2;

    private volatile Load load = Load.NONE;
    private volatile boolean running = true;
    private final Map<Load, AtomicLong> events = new EnumMap<>(Load.class);
    private final Map<Load, AtomicLong> nanos = new EnumMap<>(Load.class);
    private long switchedAt = System.nanoTime();
    private final List<Thread> threads = new ArrayList<>();

    AuditReaders(BenchClient client, String adminToken) {
        for (Load each : Load.values()) {
            events.put(each, new AtomicLong());
            nanos.put(each, new AtomicLong());
        }
        for (int i = 0; i < MAX_READERS; i++) {
            int number = i;
            threads.add(Thread.ofPlatform().name("audit-reader-" + i).daemon().start(() -> {
                String cursor = null;
                while (running) {
                    Load now = load;
                    if (number >= now.readers) {
                        BenchSystem.sleep(Duration.ofMillis(20));
                        continue;
                    }
                    String after = cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8);
                    JsonNode page = client.get("/v1/admin/audit/events?limit=" + PAGE + after, adminToken)
                            .expect(200).json();
                    events.get(now).addAndGet(page.get("events").size());
                    cursor = page.hasNonNull("nextCursor") ? page.get("nextCursor").asText() : null;
                    if (!now.pause.isZero()) {
                        BenchSystem.sleep(now.pause);
                    }
                }
            }));
        }
    }

    synchronized void apply(Load next) {
        long now = System.nanoTime();
        nanos.get(load).addAndGet(now - switchedAt);
        switchedAt = now;
        load = next;
    }

    /** Events read per second while {@code of} was applied. */
    synchronized double eventsPerSecond(Load of) {
        long time = nanos.get(of).get() + (of == load ? System.nanoTime() - switchedAt : 0);
        return time == 0 ? 0 : events.get(of).get() / (time / 1e9);
    }

    @Override
    public void close() {
        running = false;
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
