package io.dynrag.api.document.progress;

import io.dynrag.schemas.EventHeaders;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.connection.KafkaConnection;
import io.dynrag.schemas.ingestion.IngestionProgress;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What happens to documents, as this API instance learns it from Kafka: every record of the document
 * events topic (committed transactions only) says that one document changed, and the progress topic
 * carries the pipeline's reports. Each instance reads every partition of both itself, without a
 * consumer group (which would share the records out between instances) and without committed
 * positions: it starts at the end, because whoever watches a document starts from a fresh read of it
 * ({@link DocumentWatches}), so nothing older is needed.
 *
 * <p>Whenever the feed takes up its position (at start, and again after Kafka failed it), every watched
 * document is read once more: a change published before the position was taken is not missed.
 */
public final class DocumentUpdatesFeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DocumentUpdatesFeed.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final List<String> TOPICS = List.of(Topics.DOCUMENT_EVENTS.name(), Topics.INGESTION_PROGRESS.name());

    private final KafkaConnection kafka;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<IngestionProgress> progressReports = Topics.INGESTION_PROGRESS.valueSerde().deserializer();
    private final DocumentWatches watches;
    private final ProgressTracker progress;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean live;

    public DocumentUpdatesFeed(KafkaConnection kafka, DocumentWatches watches, ProgressTracker progress) {
        this.kafka = kafka;
        this.watches = watches;
        this.progress = progress;
        this.consumer = kafka.opened(new KafkaConsumer<>(kafka.config(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest")),
                new StringDeserializer(), new ByteArrayDeserializer()));
        this.thread = new Thread(this::run, "document-updates");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Reading from the end of every partition. */
    public boolean isReady() {
        return live && thread.isAlive();
    }

    private void run() {
        try {
            while (running) {
                try {
                    takePosition();
                    watches.refreshAll();
                    live = true;
                    while (running) {
                        pollOnce();
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    live = false;
                    log.warn("Reading document updates failed; streams get no news until it resumes in {} ms: {}",
                            RETRY.toMillis(), e.toString());
                    Thread.sleep(RETRY);
                }
            }
        } catch (WakeupException | InterruptedException e) {
            if (running) {
                log.warn("Reading document updates stopped unexpectedly", e);
            }
        } finally {
            live = false;
            consumer.close();
            kafka.closed(consumer);
        }
    }

    /** Every partition of both topics, at its end; waits until the end offsets are known. */
    private void takePosition() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : TOPICS) {
            consumer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    private void pollOnce() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
            if (record.topic().equals(Topics.INGESTION_PROGRESS.name())) {
                reported(record);
            } else if (record.key() != null) {
                EventHeaders.aggregateId(record.headers())
                        .ifPresent(documentId -> watches.changed(record.key(), documentId));
            }
        }
        progress.forgetSilentDocuments();
    }

    private void reported(ConsumerRecord<String, byte[]> record) {
        IngestionProgress report;
        try {
            report = progressReports.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            log.debug("Skipping an unreadable progress report at {} offset {}: {}", record.partition(),
                    record.offset(), e.toString());
            return;
        }
        if (report != null) {
            watches.progressed(report.getCustomerId(), report.getDocumentId(), progress.record(report));
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread.getState() == Thread.State.NEW) {
            // Never started: its thread would have closed the consumer.
            consumer.close();
            kafka.closed(consumer);
            return;
        }
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
