package io.dynrag.api.ingestion;

import io.dynrag.api.budget.BudgetAlerts;
import io.dynrag.domain.DomainRuleViolation;
import io.dynrag.domain.document.RecordDocumentRemoval;
import io.dynrag.domain.document.RecordIngestionFailed;
import io.dynrag.domain.document.RecordIngestionStarted;
import io.dynrag.domain.document.RecordIngestionSucceeded;
import io.dynrag.platform.origin.CurrentOrigin;
import io.dynrag.platform.origin.Origin;
import io.dynrag.schemas.EventHeaders;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.consumer.ConsumerLoop;
import io.dynrag.schemas.connection.KafkaConnection;
import io.dynrag.schemas.domain.IndexingStatsAvro;
import io.dynrag.schemas.ingestion.DocumentRemoved;
import io.dynrag.schemas.ingestion.IngestionFailed;
import io.dynrag.schemas.ingestion.IngestionResult;
import io.dynrag.schemas.ingestion.IngestionStarted;
import io.dynrag.schemas.ingestion.IngestionSucceeded;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Feeds the pipeline's outcomes back into the {@code Document} aggregate, so that every
 * state change, including what the pipeline did, is an event in the event store.
 *
 * <p>Offsets are committed only after the command succeeded; the aggregate ignores a
 * redelivered outcome, so at-least-once delivery is enough. A failing command (the database
 * is down, say) is retried with backoff and holds the partition: results are never skipped.
 */
public final class IngestionResultConsumer implements AutoCloseable {

    public static final String GROUP_ID = "dynrag-command-api-ingestion-results";
    static final String ACTOR_COMPONENT = "pipeline";
    private static final Logger log = LoggerFactory.getLogger(IngestionResultConsumer.class);

    private final CommandGateway commands;
    private final BudgetAlerts budgetAlerts;
    private final KafkaConnection kafka;
    private final KafkaConsumer<String, IngestionResult> consumer;
    private final ConsumerLoop<IngestionResult> loop;

    public IngestionResultConsumer(KafkaConnection kafka, CommandGateway commands, BudgetAlerts budgetAlerts) {
        this.kafka = kafka;
        this.commands = commands;
        this.budgetAlerts = budgetAlerts;
        this.consumer = kafka.opened(new KafkaConsumer<>(kafka.config(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, GROUP_ID,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100)),
                Topics.INGESTION_RESULTS.keySerde().deserializer(),
                Topics.INGESTION_RESULTS.valueSerde().deserializer()));
        // Positions are committed to Kafka after each poll; a poll applied again after a crash or a
        // retry is harmless, as the document ignores outcomes it has recorded already.
        this.loop = new ConsumerLoop<>("ingestion-result-consumer", consumer,
                List.of(Topics.INGESTION_RESULTS.name()), Optional.empty(), records -> records.forEach(
                        record -> CurrentOrigin.run(originOf(record), () -> applyWithBudgetCheck(record))));
    }

    public void start() {
        loop.start();
    }

    public boolean isReady() {
        return loop.isReady();
    }

    private void applyWithBudgetCheck(ConsumerRecord<String, IngestionResult> record) {
        try {
            apply(record.value());
        } catch (DomainRuleViolation e) {
            log.warn("Ignoring ingestion result the document refuses ({} offset {}): {}",
                    record.partition(), record.offset(), e.getMessage());
        }
        // Also after a redelivery the document ignored: the alert may be what a crash left unsent.
        if (record.value() != null && record.value().getOutcome() instanceof IngestionSucceeded) {
            budgetAlerts.check(record.value().getCustomerId());
        }
    }

    /**
     * The pipeline acts for the request that uploaded (or deleted) the document: the results carry
     * the headers of the event they answer, so its correlation id is at hand. Events published
     * before correlation ids existed fall back to the id of the event the result answers.
     */
    static Origin originOf(ConsumerRecord<String, IngestionResult> record) {
        String correlationId = EventHeaders.correlationId(record.headers())
                .filter(Origin::isValidCorrelationId)
                .or(() -> Optional.ofNullable(record.value()).map(IngestionResult::getSourceEventId)
                        .filter(Origin::isValidCorrelationId))
                .orElseGet(Origin::newCorrelationId);
        return Origin.system(ACTOR_COMPONENT, correlationId);
    }

    private void apply(IngestionResult result) {
        if (result == null) {
            return;
        }
        Object command = switch (result.getOutcome()) {
            case IngestionStarted ignored -> new RecordIngestionStarted(result.getDocumentId(), result.getVersion());
            case IngestionSucceeded s -> new RecordIngestionSucceeded(result.getDocumentId(), result.getVersion(),
                    IndexingStatsAvro.fromSucceeded(s));
            case DocumentRemoved removed -> new RecordDocumentRemoval(result.getDocumentId(), removed.getLanceVersion());
            case IngestionFailed f -> new RecordIngestionFailed(result.getDocumentId(), result.getVersion(),
                    f.getReason(), f.getRetryable());
            default -> throw new IllegalStateException("unknown ingestion outcome " + result.getOutcome().getClass());
        };
        commands.sendAndWait(command);
    }

    @Override
    public void close() {
        loop.close();
        kafka.closed(consumer);
    }
}
