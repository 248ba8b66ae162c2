package io.dynrag.app.observability;

import io.dynrag.domain.document.IndexingStats;
import io.dynrag.pipeline.ingestion.IngestionMetrics;
import io.dynrag.pipeline.ingestion.IngestionOutcome;
import io.dynrag.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.streams.KafkaStreams;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The pipeline role's documents, stages and word pieces. The stage timings are those the ingestor measured for
 * the version's stats (the documents read model shows the same), recorded here rather than measured twice.
 */
final class PipelineMeters implements IngestionMetrics, AutoCloseable {

    /** The stages the ingestor times, in order; see {@link IndexingStats#stageMillis()}. */
    static final String[] STAGES = {"fetch", "extract", "chunk", "embed", "write"};

    private final MeterRegistry registry;
    private final Counter indexed;
    private final Counter failed;
    private final Timer uploadToIndexed;
    private final Map<String, Timer> stages;
    private final Counter wordPieces;
    private KafkaStreamsMetrics streamsMetrics;

    PipelineMeters(MeterRegistry registry) {
        this.registry = registry;
        this.indexed = documents(registry, "indexed");
        this.failed = documents(registry, "failed");
        this.uploadToIndexed = Timer.builder(Meters.UPLOAD_TO_INDEXED)
                .description("From an upload's event to its version being indexed")
                .publishPercentileHistogram().register(registry);
        Map<String, Timer> timers = new HashMap<>();
        for (String stage : STAGES) {
            timers.put(stage, Timer.builder(Meters.INGESTION_STAGE).description("Time in one stage of the pipeline")
                    .tag(Meters.STAGE, stage).publishPercentileHistogram().register(registry));
        }
        this.stages = Map.copyOf(timers);
        this.wordPieces = Counter.builder(Meters.EMBEDDED_WORD_PIECES)
                .description("Word pieces sent to an embedding model").register(registry);
        // Present at zero from the start, so an alert can compare it with its value a while ago.
        deadLetters(registry, Topics.INGESTION_DLQ.name());
    }

    @Override
    public void ingested(IngestionOutcome outcome, Instant uploaded) {
        switch (outcome) {
            case IngestionOutcome.Indexed done -> indexed(done.stats(), uploaded);
            case IngestionOutcome.Failed ignored -> failed.increment();
            case IngestionOutcome.Removed ignored -> { }
        }
    }

    private void indexed(IndexingStats stats, Instant uploaded) {
        indexed.increment();
        Duration waited = Duration.between(uploaded, Instant.now());
        // Clocks of two machines: an event stamped a little ahead of this one's clock counts as no wait.
        uploadToIndexed.record(waited.isNegative() ? Duration.ZERO : waited);
        stats.stageMillis().forEach((stage, millis) -> {
            Timer timer = stages.get(stage);
            if (timer != null) {
                timer.record(Duration.ofMillis(millis));
            }
        });
        wordPieces.increment(stats.embeddedTokens());
    }

    @Override
    public void deadLettered(String topic) {
        deadLetters(registry, topic).increment();
    }

    @Override
    public void streams(KafkaStreams streams) {
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
    }

    private static Counter deadLetters(MeterRegistry registry, String topic) {
        return Counter.builder(Meters.DEAD_LETTERS).description("Records sent to a dead-letter topic")
                .tag(Meters.TOPIC, topic).register(registry);
    }

    private static Counter documents(MeterRegistry registry, String outcome) {
        return Counter.builder(Meters.DOCUMENTS).description("Document versions the pipeline finished")
                .tag(Meters.OUTCOME, outcome).register(registry);
    }

    @Override
    public void close() {
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
    }
}
