package io.dynrag.api.axon;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.domain.customer.CustomerAggregate;
import io.dynrag.domain.document.DocumentAggregate;
import io.dynrag.platform.origin.OriginMetadata;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventsourcing.eventstore.jpa.SQLStateResolver;
import org.axonframework.config.Configuration;
import org.axonframework.config.Configurer;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventhandling.EventMessageHandler;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.messaging.correlation.SimpleCorrelationDataProvider;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Axon on PostgreSQL without a container: the event store, the aggregates, and the one
 * tracking processor that publishes every event to Kafka.
 *
 * <p>Events are stored as JSON (Jackson, because Axon's default XStream cannot read
 * records). Table and column names are snake_case, because PostgreSQL folds Axon's
 * camel-case defaults and the tables are created by our migrations.
 *
 * <p>Every command carries its origin (who issued it, and the correlation id of its request) in
 * its metadata, and Axon copies both onto every event the command causes: the audit trail.
 */
public final class EventSourcing implements AutoCloseable {

    public static final String PUBLISHER_PROCESSOR = "kafka-publisher";
    /** The event-sourced aggregates: their events are what the event store holds. */
    static final List<Class<?>> AGGREGATES = List.of(CustomerAggregate.TYPE, DocumentAggregate.TYPE);
    private static final String DUPLICATE_KEY = "23505";
    /**
     * Who holds the publisher's segment claim. Axon's default, the JVM's {@code pid@host}, is the same for
     * every instance in one process: two of them then both believed they held the claim, published with
     * the same transactional id and fenced each other's producer in turn, stalling publication for minutes.
     */
    private final String nodeId = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();

    private final Configuration configuration;

    /**
     * @param consistentViews handlers that update command-side tables inside the command's own
     *                        transaction (subscribing processors), e.g. customer accounts
     */
    public EventSourcing(ThreadBoundTransactionManager transactions, ObjectMapper objectMapper,
                         EventMessageHandler publisher, int publisherBatchSize,
                         Map<String, Object> consistentViews) {
        Serializer serializer = serializer(objectMapper);
        Configurer configurer = DefaultConfigurer.defaultConfiguration()
                .configureTransactionManager(c -> transactions)
                .configureSerializer(c -> serializer)
                .configureMessageSerializer(c -> serializer)
                .configureEventSerializer(c -> serializer)
                .configureEmbeddedEventStore(c -> storageEngine(transactions, serializer))
                // Who issued a command and its correlation id travel from the command onto its events.
                // Axon's default provider is left out: it would overwrite correlationId with the command's id.
                .configureCorrelationDataProviders(c -> List.of(new SimpleCorrelationDataProvider(OriginMetadata.KEYS)));
        AGGREGATES.forEach(configurer::configureAggregate);

        configurer.eventProcessing()
                .registerTokenStore(c -> JdbcTokenStore.builder()
                        .connectionProvider(transactions)
                        .serializer(serializer)
                        .schema(tokenSchema())
                        .nodeId(nodeId)
                        .build())
                .registerTrackingEventProcessor(PUBLISHER_PROCESSOR,
                        c -> c.eventStore(),
                        c -> TrackingEventProcessorConfiguration.forSingleThreadedProcessing()
                                .andBatchSize(publisherBatchSize)
                                .andInitialSegmentsCount(1))
                .registerEventHandler(c -> publisher)
                .assignHandlerInstancesMatching(PUBLISHER_PROCESSOR, publisher::equals)
                // The default handler logs and moves on, which would silently drop events from Kafka.
                .registerListenerInvocationErrorHandler(PUBLISHER_PROCESSOR, c -> PropagatingErrorHandler.instance());
        consistentViews.forEach((group, handler) -> configurer.eventProcessing()
                .registerSubscribingEventProcessor(group)
                .registerEventHandler(c -> handler)
                .assignHandlerInstancesMatching(group, handler::equals)
                // A failing view fails the command, so the view never drifts from the events.
                .registerListenerInvocationErrorHandler(group, c -> PropagatingErrorHandler.instance()));

        this.configuration = configurer.buildConfiguration();
        configuration.commandBus().registerDispatchInterceptor(new OriginMetadata());
    }

    public void start() {
        configuration.start();
    }

    public CommandGateway commandGateway() {
        return configuration.commandGateway();
    }

    /** The publisher runs and is not retrying after an error (Kafka or the database unreachable). */
    public boolean isPublishing() {
        return configuration.eventProcessingConfiguration()
                .eventProcessor(PUBLISHER_PROCESSOR, TrackingEventProcessor.class)
                .map(processor -> processor.isRunning() && !processor.isError())
                .orElse(false);
    }

    public EventStore eventStore() {
        return configuration.eventStore();
    }

    @Override
    public void close() {
        configuration.shutdown();
    }

    /**
     * The event store's tables, readable without starting anything: what a replay from the event
     * store reads.
     */
    public static JdbcEventStorageEngine storageEngine(ThreadBoundTransactionManager transactions,
                                                       ObjectMapper objectMapper) {
        return storageEngine(transactions, serializer(objectMapper));
    }

    private static JdbcEventStorageEngine storageEngine(ThreadBoundTransactionManager transactions,
                                                        Serializer serializer) {
        return JdbcEventStorageEngine.builder()
                .connectionProvider(transactions)
                .transactionManager(transactions)
                .eventSerializer(serializer)
                .snapshotSerializer(serializer)
                .dataType(byte[].class)
                .schema(eventSchema())
                .persistenceExceptionResolver(new SQLStateResolver(DUPLICATE_KEY))
                .build();
    }

    /** How payloads and metadata are stored; the stored-event shape test serialises through it too. */
    static Serializer serializer(ObjectMapper objectMapper) {
        return JacksonSerializer.builder()
                .objectMapper(objectMapper)
                .lenientDeserialization()
                .build();
    }

    static EventSchema eventSchema() {
        return EventSchema.builder()
                .eventTable("domain_event_entry")
                .snapshotTable("snapshot_event_entry")
                .globalIndexColumn("global_index")
                .timestampColumn("time_stamp")
                .eventIdentifierColumn("event_identifier")
                .aggregateIdentifierColumn("aggregate_identifier")
                .sequenceNumberColumn("sequence_number")
                .typeColumn("type")
                .payloadTypeColumn("payload_type")
                .payloadRevisionColumn("payload_revision")
                .payloadColumn("payload")
                .metaDataColumn("meta_data")
                .build();
    }

    static TokenSchema tokenSchema() {
        return TokenSchema.builder()
                .setTokenTable("token_entry")
                .setProcessorNameColumn("processor_name")
                .setSegmentColumn("segment")
                .setTokenColumn("token")
                .setTokenTypeColumn("token_type")
                .setTimestampColumn("timestamp")
                .setOwnerColumn("owner")
                .build();
    }
}
