package io.dynrag.pipeline.ingestion;

import org.apache.kafka.streams.KafkaStreams;

import java.time.Instant;

/**
 * What the pipeline tells the role's metrics. It reports work as it is done: a document whose transaction is
 * aborted (its instance crashed before committing) is processed, and reported, again.
 */
public interface IngestionMetrics {

    /** For topologies whose work nobody counts (the topology's tests). */
    IngestionMetrics NONE = new IngestionMetrics() {
        @Override
        public void ingested(IngestionOutcome outcome, Instant uploaded) {
        }

        @Override
        public void deadLettered(String topic) {
        }

        @Override
        public void streams(KafkaStreams streams) {
        }
    };

    /**
     * A document version was indexed or failed, or a deleted document removed; an indexed version's stats carry
     * its stage timings, measured once by the ingestor.
     *
     * @param uploaded when its upload (or deletion) was recorded in the event store
     */
    void ingested(IngestionOutcome outcome, Instant uploaded);

    /** A record went to the dead-letter topic {@code topic}. */
    void deadLettered(String topic);

    /** The pipeline's Kafka Streams instance, whose own metrics (and its clients') are reported beside ours. */
    void streams(KafkaStreams streams);
}
