package io.dynrag.api;

import io.dynrag.api.auth.ApiKeys;
import io.dynrag.api.auth.Authenticator;
import io.dynrag.api.axon.EventSourcing;
import io.dynrag.api.customer.CustomerEndpoints;
import io.dynrag.api.document.DocumentEndpoints;
import io.dynrag.api.document.DocumentLookup;
import io.dynrag.api.document.DocumentObjects;
import io.dynrag.api.document.EventStoreDocumentLookup;
import io.dynrag.api.http.HttpServer;
import io.dynrag.api.http.Json;
import io.dynrag.api.ingestion.IngestionResultConsumer;
import io.dynrag.api.persistence.Migrations;
import io.dynrag.api.persistence.ThreadBoundTransactionManager;
import io.dynrag.api.publishing.KafkaEventPublisher;
import io.dynrag.api.search.ChunkSearch;
import io.dynrag.api.search.SearchEndpoints;
import software.amazon.awssdk.services.s3.S3Client;

import javax.sql.DataSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The command side as one service: HTTP API, Axon on PostgreSQL, the publisher of events to
 * Kafka and the consumer of pipeline outcomes. Queries it does not own (the documents read
 * model, vector search) come in as ports.
 */
public final class CommandApi implements AutoCloseable {

    private static final int PUBLISHER_BATCH_SIZE = 100;

    private final KafkaEventPublisher publisher;
    private final EventSourcing eventSourcing;
    private final IngestionResultConsumer ingestionResults;
    private final HttpServer http;

    /**
     * @param dataSource   a pool whose connections use the {@value Migrations#SCHEMA} schema
     * @param readModel    the documents projection
     * @param otherChecks  readiness of the other roles in this process, shown on {@code /health}
     */
    public CommandApi(CommandApiSettings settings, DataSource dataSource, S3Client s3, DocumentLookup readModel,
                      ChunkSearch search, Map<String, BooleanSupplier> otherChecks) {
        Migrations.migrate(dataSource);
        ThreadBoundTransactionManager transactions = new ThreadBoundTransactionManager(dataSource);
        this.publisher = new KafkaEventPublisher(settings.kafkaBootstrapServers(), settings.publisherTransactionalId());
        this.eventSourcing = new EventSourcing(transactions, Json.apiMapper(), publisher, PUBLISHER_BATCH_SIZE);
        this.ingestionResults = new IngestionResultConsumer(settings.kafkaBootstrapServers(),
                eventSourcing.commandGateway());

        ApiKeys apiKeys = new ApiKeys(transactions);
        Map<String, BooleanSupplier> checks = new LinkedHashMap<>(otherChecks);
        checks.put("command-api.ingestion-results", ingestionResults::isReady);
        checks.put("command-api.event-publisher", eventSourcing::isPublishing);
        this.http = new HttpServer(settings.httpHost(), settings.httpPort(), CommandApiSettings.MAX_JSON_BYTES,
                settings.maxUploadBytes(), new Authenticator(settings.adminToken(), apiKeys), Json.apiMapper(),
                List.of(
                        new CustomerEndpoints(eventSourcing.commandGateway(), apiKeys, transactions),
                        new DocumentEndpoints(eventSourcing.commandGateway(),
                                new DocumentObjects(s3, settings.documentBucket()), readModel,
                                new EventStoreDocumentLookup(eventSourcing.eventStore()), settings.maxUploadBytes()),
                        new SearchEndpoints(search)),
                checks);
    }

    public CommandApi start() {
        eventSourcing.start();
        ingestionResults.start();
        http.start();
        return this;
    }

    public int httpPort() {
        return http.port();
    }

    @Override
    public void close() {
        http.close();
        ingestionResults.close();
        eventSourcing.close();
        publisher.close();
    }
}
