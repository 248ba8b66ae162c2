package io.dynrag.api.publishing;

import io.dynrag.domain.customer.BudgetThresholdReached;
import io.dynrag.domain.customer.CustomerCeilingsChanged;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.customer.CustomerConfigurationChanged;
import io.dynrag.domain.customer.CustomerDeleted;
import io.dynrag.domain.customer.CustomerReactivated;
import io.dynrag.domain.customer.CustomerRegistered;
import io.dynrag.domain.customer.CustomerSuspended;
import io.dynrag.domain.customer.ProviderKeyChanged;
import io.dynrag.domain.document.DocumentDeleted;
import io.dynrag.domain.document.DocumentIngestionStarted;
import io.dynrag.domain.document.DocumentMetadataChanged;
import io.dynrag.domain.document.DocumentRemovedFromIndex;
import io.dynrag.domain.document.DocumentVersionFailed;
import io.dynrag.domain.document.DocumentVersionIndexed;
import io.dynrag.domain.document.DocumentVersionUploaded;
import io.dynrag.platform.origin.OriginMetadata;
import io.dynrag.schemas.EventHeaders;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.domain.IndexingStatsAvro;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;

import java.util.Optional;

/**
 * Turns a stored domain event into the Kafka record of the public contract: the topic of
 * its aggregate type, key = customer id (so each tenant's events stay in order on one
 * partition), value = the Avro envelope, and the event's identity in headers so consumers
 * can deduplicate redeliveries; the correlation id of the request behind the event travels in a
 * header too, so the pipeline's outcomes can be traced back to the upload that caused them.
 */
final class AvroEventMapper {

    private AvroEventMapper() {
    }

    static Optional<ProducerRecord<String, byte[]>> toRecord(EventMessage<?> message) {
        if (!(message instanceof DomainEventMessage<?> event)) {
            return Optional.empty();
        }
        Object payload = event.getPayload();
        SpecificRecord customerPayload = customerPayload(payload);
        if (customerPayload != null) {
            String customerId = event.getAggregateIdentifier();
            CustomerEvent value = CustomerEvent.newBuilder()
                    .setEventId(event.getIdentifier())
                    .setOccurredAt(event.getTimestamp())
                    .setCustomerId(customerId)
                    .setSequenceNumber(event.getSequenceNumber())
                    .setPayload(customerPayload)
                    .build();
            return Optional.of(record(Topics.CUSTOMER_EVENTS.name(), customerId,
                    Topics.CUSTOMER_EVENTS.valueSerde().serializer().serialize(Topics.CUSTOMER_EVENTS.name(), value),
                    event, customerPayload));
        }
        SpecificRecord documentPayload = documentPayload(payload);
        if (documentPayload == null) {
            return Optional.empty();
        }
        String customerId = customerIdOf(payload);
        DocumentEvent value = DocumentEvent.newBuilder()
                .setEventId(event.getIdentifier())
                .setOccurredAt(event.getTimestamp())
                .setCustomerId(customerId)
                .setDocumentId(event.getAggregateIdentifier())
                .setSequenceNumber(event.getSequenceNumber())
                .setPayload(documentPayload)
                .build();
        return Optional.of(record(Topics.DOCUMENT_EVENTS.name(), customerId,
                Topics.DOCUMENT_EVENTS.valueSerde().serializer().serialize(Topics.DOCUMENT_EVENTS.name(), value),
                event, documentPayload));
    }

    /** Personal fields (company, email) stay in the event store, encrypted; they are not published. */
    private static SpecificRecord customerPayload(Object payload) {
        return switch (payload) {
            case CustomerRegistered e -> io.dynrag.schemas.customer.CustomerRegistered.newBuilder()
                    .setConfiguration(configuration(e.configuration()))
                    .build();
            case CustomerConfigurationChanged e -> io.dynrag.schemas.customer.CustomerConfigurationChanged.newBuilder()
                    .setConfiguration(configuration(e.configuration()))
                    .build();
            case ProviderKeyChanged e -> io.dynrag.schemas.customer.ProviderKeyChanged.newBuilder()
                    .setProvider(e.provider())
                    .setFingerprint(e.fingerprint())
                    .build();
            case CustomerSuspended e -> io.dynrag.schemas.customer.CustomerSuspended.newBuilder()
                    .setReason(e.reason())
                    .build();
            case CustomerReactivated e -> io.dynrag.schemas.customer.CustomerReactivated.newBuilder().build();
            case CustomerDeleted e -> io.dynrag.schemas.customer.CustomerDeleted.newBuilder().build();
            case BudgetThresholdReached e -> io.dynrag.schemas.customer.BudgetThresholdReached.newBuilder()
                    .setMonth(e.month())
                    .setThresholdPercent(e.thresholdPercent())
                    .setSpentMicroUsd(e.spentMicroUsd())
                    .setBudgetMicroUsd(e.budgetMicroUsd())
                    .build();
            case CustomerCeilingsChanged e -> io.dynrag.schemas.customer.CustomerCeilingsChanged.newBuilder()
                    .setRequestsPerMinute(e.ceilings().requestsPerMinute())
                    .setRequestsPerDay(e.ceilings().requestsPerDay())
                    .setMaxDocuments(e.ceilings().maxDocuments())
                    .setMaxFileBytes(e.ceilings().maxFileBytes())
                    .build();
            default -> null;
        };
    }

    private static io.dynrag.schemas.customer.CustomerConfiguration configuration(CustomerConfiguration c) {
        return io.dynrag.schemas.customer.CustomerConfiguration.newBuilder()
                .setRequestsPerMinute(c.requestsPerMinute())
                .setRequestsPerDay(c.requestsPerDay())
                .setMaxDocuments(c.maxDocuments())
                .setMaxFileBytes(c.maxFileBytes())
                .setAllowedContentTypes(c.allowedContentTypes().stream().sorted().toList())
                .setChunkTokens(c.chunkTokens())
                .setChunkOverlapTokens(c.chunkOverlapTokens())
                .setEmbeddingModel(c.embeddingModel())
                .setMonthlyBudgetMicroUsd(c.monthlyBudgetMicroUsd().isPresent()
                        ? Long.valueOf(c.monthlyBudgetMicroUsd().getAsLong()) : null)
                .setBudgetAlertPercent(c.budgetAlertPercent())
                .setRerankModel(c.rerankModel())
                .setHistoryRetentionDays(c.historyRetentionDays())
                .build();
    }

    private static SpecificRecord documentPayload(Object payload) {
        return switch (payload) {
            case DocumentVersionUploaded e -> io.dynrag.schemas.document.DocumentVersionUploaded.newBuilder()
                    .setVersion(e.version())
                    .setTitle(e.title())
                    .setContentType(e.contentType())
                    .setS3Key(e.s3Key())
                    .setSha256(e.sha256())
                    .setBytes(e.bytes())
                    .setChunkTokens(e.indexing().chunkTokens())
                    .setChunkOverlapTokens(e.indexing().chunkOverlapTokens())
                    .setEmbeddingModel(e.indexing().embeddingModel())
                    .setHistoryRetentionDays(e.indexing().historyRetentionDays())
                    .setMetadata(e.metadata())
                    .build();
            case DocumentMetadataChanged e -> io.dynrag.schemas.document.DocumentMetadataChanged.newBuilder()
                    .setTitle(e.title())
                    .setMetadata(e.metadata())
                    .build();
            case DocumentIngestionStarted e -> io.dynrag.schemas.document.DocumentIngestionStarted.newBuilder()
                    .setVersion(e.version())
                    .build();
            case DocumentVersionIndexed e -> IndexingStatsAvro.toIndexedEvent(e.version(), e.stats());
            case DocumentVersionFailed e -> io.dynrag.schemas.document.DocumentVersionFailed.newBuilder()
                    .setVersion(e.version())
                    .setReason(e.reason())
                    .setRetryable(e.retryable())
                    .build();
            case DocumentDeleted e -> io.dynrag.schemas.document.DocumentDeleted.newBuilder()
                    .setLastVersion(e.lastVersion())
                    .build();
            case DocumentRemovedFromIndex e -> io.dynrag.schemas.document.DocumentRemovedFromIndex.newBuilder()
                    .setLanceVersion(e.lanceVersion())
                    .build();
            default -> null;
        };
    }

    private static String customerIdOf(Object payload) {
        return switch (payload) {
            case DocumentVersionUploaded e -> e.customerId();
            case DocumentMetadataChanged e -> e.customerId();
            case DocumentIngestionStarted e -> e.customerId();
            case DocumentVersionIndexed e -> e.customerId();
            case DocumentVersionFailed e -> e.customerId();
            case DocumentDeleted e -> e.customerId();
            case DocumentRemovedFromIndex e -> e.customerId();
            default -> throw new IllegalArgumentException("not a document event: " + payload.getClass());
        };
    }

    private static ProducerRecord<String, byte[]> record(String topic, String key, byte[] value,
                                                         DomainEventMessage<?> event, SpecificRecord payload) {
        RecordHeaders headers = new RecordHeaders();
        EventHeaders.add(headers, event.getIdentifier(), event.getAggregateIdentifier(),
                event.getSequenceNumber(), EventHeaders.eventTypeOf(payload));
        if (event.getMetaData().get(OriginMetadata.CORRELATION_ID) instanceof String correlationId) {
            EventHeaders.addCorrelationId(headers, correlationId);
        }
        return new ProducerRecord<>(topic, null, key, value, headers);
    }
}
