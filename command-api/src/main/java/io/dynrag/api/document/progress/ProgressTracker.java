package io.dynrag.api.document.progress;

import io.dynrag.schemas.Topics;
import io.dynrag.schemas.ingestion.IngestionProgress;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest progress report of every document being processed, read from the progress topic by
 * every API instance (no consumer group: each instance needs all of it). Reports are ephemeral;
 * an instance that starts late simply knows nothing until the next report.
 */
public final class ProgressTracker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProgressTracker.class);
    /** A document silent for this long has finished or stalled; its last report no longer helps. */
    private static final Duration FORGET_AFTER = Duration.ofMinutes(10);

    private final KafkaConsumer<String, IngestionProgress> consumer;
    private final Map<String, Progress> byDocument = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Thread thread;
    private volatile boolean running = true;

    /** @param stage fetch, extract, chunk, embed or write */
    public record Progress(int version, String stage, int chunksEmbedded, int chunksTotal, Instant reportedAt) {
    }

    public ProgressTracker(String bootstrapServers, Clock clock) {
        this.clock = clock;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"),
                Topics.INGESTION_PROGRESS.keySerde().deserializer(),
                Topics.INGESTION_PROGRESS.valueSerde().deserializer());
        this.thread = new Thread(this::run, "ingestion-progress");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    public Optional<Progress> of(String documentId, int version) {
        return Optional.ofNullable(byDocument.get(documentId)).filter(progress -> progress.version() == version);
    }

    private void run() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.INGESTION_PROGRESS.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            while (running) {
                pollOnce();
            }
        } catch (WakeupException e) {
            if (running) {
                log.warn("Progress tracking stopped unexpectedly", e);
            }
        } catch (RuntimeException e) {
            log.warn("Progress tracking stopped; documents show their status without progress: {}", e.toString());
        } finally {
            consumer.close();
        }
    }

    private void pollOnce() {
        try {
            consumer.poll(Duration.ofMillis(500)).forEach(record -> {
                IngestionProgress report = record.value();
                if (report != null) {
                    byDocument.put(report.getDocumentId(), new Progress(report.getVersion(), report.getStage(),
                            report.getChunksEmbedded(), report.getChunksTotal(), report.getReportedAt()));
                }
            });
        } catch (RecordDeserializationException e) {
            consumer.seek(e.topicPartition(), e.offset() + 1);
        }
        Instant horizon = clock.instant().minus(FORGET_AFTER);
        byDocument.values().removeIf(progress -> progress.reportedAt().isBefore(horizon));
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
