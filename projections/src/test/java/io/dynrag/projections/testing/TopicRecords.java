package io.dynrag.projections.testing;

import io.dynrag.schemas.Topics;
import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.usage.UsageFact;
import io.dynrag.schemas.usage.UsageKind;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Records as the projections read them from the topics: the key, the value's bytes as the producers
 * write them, and an offset that grows per topic (one partition each).
 */
public final class TopicRecords {

    private final Map<String, Long> nextOffset = new HashMap<>();

    /** {@code payload} is one of the document event records, e.g. a {@code DocumentVersionUploaded}. */
    public ConsumerRecord<String, byte[]> document(String customerId, String documentId, long sequence, Instant at,
                                                   Object payload) {
        DocumentEvent event = DocumentEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(at)
                .setCustomerId(customerId)
                .setDocumentId(documentId)
                .setSequenceNumber(sequence)
                .setPayload(payload)
                .build();
        String topic = Topics.DOCUMENT_EVENTS.name();
        return record(topic, customerId, Topics.DOCUMENT_EVENTS.valueSerde().serializer().serialize(topic, event));
    }

    public ConsumerRecord<String, byte[]> customer(String customerId, long sequence, Instant at, Object payload) {
        CustomerEvent event = CustomerEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(at)
                .setCustomerId(customerId)
                .setSequenceNumber(sequence)
                .setPayload(payload)
                .build();
        String topic = Topics.CUSTOMER_EVENTS.name();
        return record(topic, customerId, Topics.CUSTOMER_EVENTS.valueSerde().serializer().serialize(topic, event));
    }

    public ConsumerRecord<String, byte[]> usage(String customerId, UsageKind kind, Instant at) {
        UsageFact fact = UsageFact.newBuilder()
                .setFactId(UUID.randomUUID().toString())
                .setCustomerId(customerId)
                .setKind(kind)
                .setOccurredAt(at)
                .build();
        String topic = Topics.USAGE.name();
        return record(topic, customerId, Topics.USAGE.valueSerde().serializer().serialize(topic, fact));
    }

    public ConsumerRecord<String, byte[]> rerankedSearch(String customerId, long documents, long tokens,
                                                         long costMicroUsd, Instant at) {
        UsageFact fact = UsageFact.newBuilder()
                .setFactId(UUID.randomUUID().toString())
                .setCustomerId(customerId)
                .setKind(UsageKind.RERANKED_SEARCH)
                .setOccurredAt(at)
                .setDocuments(documents)
                .setTokens(tokens)
                .setCostMicroUsd(costMicroUsd)
                .build();
        String topic = Topics.USAGE.name();
        return record(topic, customerId, Topics.USAGE.valueSerde().serializer().serialize(topic, fact));
    }

    /** Whatever bytes arrived on the topic, readable or not. */
    public ConsumerRecord<String, byte[]> raw(String topic, String key, byte[] value) {
        return record(topic, key, value);
    }

    private ConsumerRecord<String, byte[]> record(String topic, String key, byte[] value) {
        long offset = nextOffset.merge(topic, 1L, Long::sum) - 1;
        return new ConsumerRecord<>(topic, 0, offset, key, value);
    }
}
