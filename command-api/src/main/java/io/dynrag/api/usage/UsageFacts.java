package io.dynrag.api.usage;

import io.dynrag.schemas.Topics;
import io.dynrag.schemas.connection.KafkaConnection;
import io.dynrag.schemas.usage.UsageFact;
import io.dynrag.schemas.usage.UsageKind;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;
import java.util.UUID;

/**
 * Publishes API calls, search queries and reranked searches to {@code dynrag.usage.v1}. The producer is
 * idempotent, so its own retries never count a fact twice; sending does not wait, so a request is never
 * slowed or failed by metering (a crash can lose the facts of its last few milliseconds).
 */
public final class UsageFacts implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UsageFacts.class);

    private final KafkaConnection kafka;
    private final KafkaProducer<String, UsageFact> producer;
    private final Clock clock;

    public UsageFacts(KafkaConnection kafka, Clock clock) {
        this.kafka = kafka;
        this.clock = clock;
        this.producer = kafka.opened(new KafkaProducer<>(kafka.config(Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000)),
                Topics.USAGE.keySerde().serializer(), Topics.USAGE.valueSerde().serializer()));
    }

    /** @param apiKeyId null for a signed-in user */
    public void record(String customerId, String apiKeyId, UsageKind kind) {
        publish(customerId, UsageFact.newBuilder().setCustomerId(customerId).setKind(kind).setApiKeyId(apiKeyId));
    }

    /**
     * One call of the customer's rerank provider.
     *
     * @param documents the candidates sent
     * @param tokens    tokens of the query and the candidates
     */
    public void recordRerank(String customerId, int documents, long tokens, long costMicroUsd) {
        publish(customerId, UsageFact.newBuilder().setCustomerId(customerId).setKind(UsageKind.RERANKED_SEARCH)
                .setDocuments(documents).setTokens(tokens).setCostMicroUsd(costMicroUsd));
    }

    private void publish(String customerId, UsageFact.Builder fact) {
        UsageFact built = fact.setFactId(UUID.randomUUID().toString()).setOccurredAt(clock.instant()).build();
        try {
            producer.send(new ProducerRecord<>(Topics.USAGE.name(), customerId, built), (metadata, error) -> {
                if (error != null) {
                    log.warn("A usage fact of {} was not published: {}", customerId, error.toString());
                }
            });
        } catch (RuntimeException e) {
            log.warn("A usage fact of {} was not published: {}", customerId, e.toString());
        }
    }

    @Override
    public void close() {
        producer.close();
        kafka.closed(producer);
    }
}
