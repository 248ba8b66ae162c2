package io.dynrag.schemas.consumer;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A thread that applies a topic's records in batches, at least once and in order per partition,
 * for the consumers that keep read models and outboxes. Applying a batch is retried with
 * exponential backoff until it succeeds or the loop is closed: skipping a batch would lose its
 * records, so an outage of the store they go to is waited out.
 *
 * <p>Where the position is kept is the consumer's choice. With {@link StoredOffsets} the batch
 * stores the next offsets in the same transaction as its effects and the loop seeks to them
 * whenever partitions are assigned, so a crash neither loses nor repeats a batch. Without, the
 * loop commits to Kafka after each applied batch and the batch must tolerate being applied again.
 * A record its deserializer cannot read is logged and skipped.
 */
public final class ConsumerLoop<V> implements AutoCloseable {

    /** Applies one poll's records; throwing makes the loop retry the same records. */
    @FunctionalInterface
    public interface Batch<V> {
        void apply(List<ConsumerRecord<String, V>> records) throws Exception;
    }

    /** The next offset to read per partition, as the batches stored them; absent partitions start at the beginning. */
    @FunctionalInterface
    public interface StoredOffsets {
        Map<TopicPartition, Long> read() throws Exception;
    }

    private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(500);

    private final String name;
    private final KafkaConsumer<String, V> consumer;
    private final Collection<String> topics;
    private final Optional<StoredOffsets> storedOffsets;
    private final Batch<V> batch;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean assigned;

    /**
     * @param name          names the thread and the log lines
     * @param consumer      with auto commit off; the loop owns and closes it
     * @param storedOffsets empty to commit positions to Kafka instead
     */
    public ConsumerLoop(String name, KafkaConsumer<String, V> consumer, Collection<String> topics,
                        Optional<StoredOffsets> storedOffsets, Batch<V> batch) {
        this.name = name;
        this.consumer = consumer;
        this.topics = List.copyOf(topics);
        this.storedOffsets = storedOffsets;
        this.batch = batch;
        this.thread = new Thread(this::run, name);
    }

    public void start() {
        thread.start();
    }

    /** Running and assigned partitions by the group. */
    public boolean isReady() {
        return running && thread.isAlive() && assigned;
    }

    private void run() {
        try {
            consumer.subscribe(topics, new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    // Positions are stored (or committed) with every applied batch.
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    storedOffsets.ifPresent(stored -> seek(partitions, withRetry("read stored offsets", stored::read)));
                }
            });
            while (running) {
                pollOnce();
            }
        } catch (WakeupException | Stopped e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close();
        }
    }

    private void seek(Collection<TopicPartition> partitions, Map<TopicPartition, Long> stored) {
        for (TopicPartition partition : partitions) {
            Long next = stored.get(partition);
            if (next != null) {
                consumer.seek(partition, next);
            } else {
                consumer.seekToBeginning(List.of(partition));
            }
        }
    }

    private void pollOnce() {
        ConsumerRecords<String, V> records;
        try {
            records = consumer.poll(POLL);
        } catch (RecordDeserializationException e) {
            log.error("{}: skipping an unreadable record at {} offset {}: {}", name, e.topicPartition(), e.offset(),
                    e.getMessage());
            consumer.seek(e.topicPartition(), e.offset() + 1);
            return;
        }
        assigned = !consumer.assignment().isEmpty();
        if (records.isEmpty()) {
            return;
        }
        List<ConsumerRecord<String, V>> polled = new ArrayList<>(records.count());
        records.forEach(polled::add);
        withRetry("apply " + polled.size() + " records", () -> {
            batch.apply(polled);
            return null;
        });
        if (storedOffsets.isEmpty()) {
            consumer.commitSync();
        }
    }

    private interface Work<T> {
        T run() throws Exception;
    }

    private <T> T withRetry(String what, Work<T> work) {
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            try {
                return work.run();
            } catch (Exception e) {
                if (!running) {
                    throw new Stopped();
                }
                log.warn("{} could not {}, retrying in {} ms: {}", name, what, backoff.toMillis(), e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new Stopped();
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** Unwinds the thread when the loop is closed in the middle of retrying. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }

    /** Stops polling, waits up to 10 seconds for the batch in progress, and closes the consumer. */
    @Override
    public void close() {
        running = false;
        if (thread.getState() == Thread.State.NEW) {
            // Never started: its thread would have closed the consumer (and joining it would throw).
            consumer.close();
            return;
        }
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
