package io.dynrag.bench;

import io.dynrag.app.infra.Infrastructure;
import io.dynrag.domain.document.DocumentVersionUploaded;
import io.dynrag.platform.persistence.Migrations;
import io.dynrag.projections.Projections;
import io.dynrag.schemas.EventHeaders;
import io.dynrag.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Small uploads at a fixed rate from an open-loop generator on loopback: each request is sent at
 * its planned instant whether or not earlier ones have answered, and its latency is counted from
 * that instant, so a stall shows in the figures instead of slowing the generator down. Afterwards
 * every accepted upload must be in the event store, on the topic and in the documents projection.
 */
final class ApiLoadBench {

    /**
     * @param busy          answered 503 (the server shed the request, asking for a retry), counted in errors
     * @param warmUpErrors  requests of the warm-up that were not accepted (their latencies are not counted)
     * @param cpuMillis     CPU time each part of the system spent during the measured period
     */
    record Result(int sent, int accepted, int errors, int busy, int warmUpErrors, long[] latenciesMicros,
                  Counts counts, boolean storesAgree, Duration caughtUpAfter,
                  Map<String, Double> cpuMillis) {

        long percentileMicros(double percentile) {
            return Percentiles.of(latenciesMicros, percentile);
        }
    }

    /** Uploaded documents of the customer as each place records them. */
    record Counts(long eventStore, long topic, long projection) {

        /**
         * The three places agree, and hold at least every upload the client saw accepted (a request
         * the client gave up on may still have been committed by the server).
         */
        boolean agree(long accepted) {
            return eventStore == topic && topic == projection && eventStore >= accepted;
        }
    }

    private static final Duration CATCH_UP_LIMIT = Duration.ofMinutes(5);

    private final BenchSystem system;

    ApiLoadBench(BenchSystem system) {
        this.system = system;
    }

    /**
     * @param warmUp sent at the same rate before the measured period and left out of the figures, so
     *               they show the server compiled and its pools filled rather than its first seconds
     */
    Result run(int rate, Duration warmUp, Duration duration) {
        BenchSystem.Customer customer = system.registerCustomer("API load benchmark");
        Load warming = send(customer, rate, warmUp, 0);
        CpuAccounting cpu = new CpuAccounting(system.dataDir());
        Map<String, Double> cpuBefore = cpu.snapshot();
        Load measured = send(customer, rate, duration, warming.sent());
        Map<String, Double> cpuSpent = CpuAccounting.spent(cpuBefore, cpu.snapshot());
        int accepted = warming.accepted() + measured.accepted();
        long caughtUpStart = System.nanoTime();
        Counts counts = counts(customer.customerId());
        while (!counts.agree(accepted) && System.nanoTime() - caughtUpStart < CATCH_UP_LIMIT.toNanos()) {
            BenchSystem.sleep(Duration.ofMillis(500));
            counts = counts(customer.customerId());
        }
        return new Result(measured.sent(), measured.accepted(), measured.errors(), measured.busy(),
                warming.errors(), measured.latenciesMicros(), counts, counts.agree(accepted),
                Duration.ofNanos(System.nanoTime() - caughtUpStart), cpuSpent);
    }

    private record Load(int sent, int accepted, int errors, int busy, long[] latenciesMicros) {
    }

    private Load send(BenchSystem.Customer customer, int rate, Duration duration, int firstNote) {
        BenchClient client = system.client();
        int total = (int) (rate * duration.toSeconds());
        long periodNanos = 1_000_000_000L / rate;
        long[] latencies = new long[total];
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger busy = new AtomicInteger();
        List<CompletableFuture<?>> pending = new ArrayList<>(total);
        long start = System.nanoTime() + Duration.ofMillis(200).toNanos();
        for (int i = 0; i < total; i++) {
            long planned = start + i * periodNanos;
            int note = firstNote + i;
            HttpRequest request = client.uploadRequest("/v1/documents", customer.apiKey(), "note-" + note + ".txt",
                    ("Load note " + note + ": the ferry left the harbour at " + (note % 24) + " o'clock with "
                            + (note * 7 % 300) + " passengers and a cargo of timber.")
                            .getBytes(StandardCharsets.UTF_8));
            long wait = planned - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int index = i;
            pending.add(client.sendAsync(request).handle((response, failure) -> {
                latencies[index] = (System.nanoTime() - planned) / 1_000;
                if (failure == null && response.status() == 202) {
                    accepted.incrementAndGet();
                } else {
                    errors.incrementAndGet();
                    if (failure == null && response.status() == 503) {
                        busy.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        return new Load(total, accepted.get(), errors.get(), busy.get(), latencies);
    }

    private Counts counts(String customerId) {
        Infrastructure servers = system.infrastructure();
        try (Connection connection = DriverManager.getConnection(servers.jdbcUrl(), servers.jdbcUser(),
                servers.jdbcPassword())) {
            long stored = count(connection, "SELECT count(*) FROM " + Migrations.SCHEMA + ".domain_event_entry e JOIN "
                    + Migrations.SCHEMA + ".document_state d ON d.document_id = e.aggregate_identifier "
                    + "WHERE d.customer_id = ? AND e.payload_type = ?", customerId,
                    DocumentVersionUploaded.class.getName());
            long projected = count(connection, "SELECT count(*) FROM " + Projections.SCHEMA
                    + ".document WHERE customer_id = ?", customerId);
            return new Counts(stored, uploadsOnTopic(customerId), projected);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count the stored events", e);
        }
    }

    private static long count(Connection connection, String sql, String... parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** Reads the document topic from the start up to its end offsets. */
    private long uploadsOnTopic(String customerId) {
        Map<String, Object> config = system.infrastructure().kafka().config(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.DOCUMENT_EVENTS.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long uploads = 0;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    Header type = record.headers().lastHeader(EventHeaders.EVENT_TYPE);
                    if (customerId.equals(record.key()) && type != null
                            && "DocumentVersionUploaded".equals(new String(type.value(), StandardCharsets.UTF_8))) {
                        uploads++;
                    }
                }
            }
            return uploads;
        }
    }
}
