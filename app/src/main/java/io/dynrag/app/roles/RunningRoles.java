package io.dynrag.app.roles;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.dynrag.api.CommandApi;
import io.dynrag.api.CommandApiSettings;
import io.dynrag.api.document.DocumentChunks;
import io.dynrag.api.document.batch.BatchLimits;
import io.dynrag.api.document.progress.DocumentStreams;
import io.dynrag.api.document.url.FetchBounds;
import io.dynrag.api.document.url.UrlFetchSettings;
import io.dynrag.api.ingestion.IngestionResultConsumer;
import io.dynrag.api.search.SearchHit;
import io.dynrag.app.config.Settings;
import io.dynrag.app.infra.DataSources;
import io.dynrag.app.infra.Infrastructure;
import io.dynrag.app.infra.KafkaTopics;
import io.dynrag.app.infra.S3Clients;
import io.dynrag.app.observability.ConsumerLag;
import io.dynrag.app.observability.Observability;
import io.dynrag.domain.billing.EmbeddingPrices;
import io.dynrag.domain.customer.CustomerCeilings;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.customer.HistoryRetention;
import io.dynrag.identity.accounts.ProviderKeys;
import io.dynrag.identity.tokens.TokenSettings;
import io.dynrag.pipeline.IngestionService;
import io.dynrag.pipeline.IngestionSettings;
import io.dynrag.pipeline.embedding.BgeSmallEmbeddingModel;
import io.dynrag.pipeline.embedding.EmbeddingModel;
import io.dynrag.pipeline.embedding.EmbeddingModels;
import io.dynrag.pipeline.embedding.MiniLmEmbeddingModel;
import io.dynrag.pipeline.embedding.ProviderCredentials;
import io.dynrag.pipeline.embedding.QueryEmbedding;
import io.dynrag.pipeline.extraction.ExtractionLimits;
import io.dynrag.platform.crypto.KeyEncryption;
import io.dynrag.platform.crypto.KeyEncryptionKeys;
import io.dynrag.platform.outbound.AddressPolicy;
import io.dynrag.platform.persistence.Migrations;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import io.dynrag.projections.AppliedRecords;
import io.dynrag.projections.Projection;
import io.dynrag.projections.Projections;
import io.dynrag.projections.document.DocumentCatalog;
import io.dynrag.projections.usage.UsageCatalog;
import io.dynrag.schemas.connection.KafkaConnection;
import io.dynrag.vectorstore.ChunkSearcher;
import io.dynrag.vectorstore.LanceChunkStore;
import io.dynrag.webhooks.WebhookSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The one place that wires the roles: it builds each role's dependencies once, hands the
 * query ports across (the API reads the projections' catalogue and searches the vector store's
 * datasets, its queries embedded by the pipeline's models), starts the roles and stops everything
 * in reverse order.
 */
public final class RunningRoles implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RunningRoles.class);

    /** The pipeline's Kafka Streams application id, which is also its consumer group. */
    private static final String INGESTION_APPLICATION_ID = "dynrag-ingestion";

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    /** Filled while the roles start, read by the management server meanwhile. */
    private final Map<String, BooleanSupplier> readiness = new ConcurrentHashMap<>();
    private Observability observability;
    private volatile boolean rolesStarted;
    private CommandApi api;
    private HikariDataSource commandPool;

    private RunningRoles() {
    }

    public static RunningRoles start(Set<Role> roles, Settings settings, Infrastructure infrastructure) {
        RoleRequirements.check(roles, settings);
        RunningRoles running = new RunningRoles();
        try {
            // Not ready before every role has started, whatever checks the started ones pass; in the map
            // before the management server answers, which it does while its meter binders still start.
            running.readiness.put("roles", () -> running.rolesStarted);
            running.observability = running.own(Observability.start(settings.managementHost(),
                    settings.managementPort(), running.readiness));
            running.startAll(EnumSet.copyOf(roles), settings, infrastructure);
            return running;
        } catch (RuntimeException e) {
            running.close();
            throw e;
        }
    }

    private void startAll(EnumSet<Role> roles, Settings settings, Infrastructure infrastructure) {
        KafkaTopics.ensure(infrastructure.kafka(), settings.topicPartitions(),
                settings.topicReplication(), settings.createTopics());
        S3Client s3 = own(S3Clients.create(infrastructure.s3()));
        S3Clients.ensureBucket(s3, infrastructure.s3().bucket());
        infrastructure.lance().bucket().ifPresent(bucket -> S3Clients.ensureBucket(s3, bucket));

        EmbeddingModels models = null;
        LanceChunkStore store = null;
        if (roles.contains(Role.PIPELINE) || roles.contains(Role.API)) {
            EmbeddingModel local = own(new MiniLmEmbeddingModel(settings.embeddingThreads()));
            store = own(new LanceChunkStore(infrastructure.lance()));
            commandPool = own(observability.pool(DataSources.pool(infrastructure, Migrations.SCHEMA, 10)));
            readiness.put("database", Observability.reachable(commandPool));
            int sessions = settings.embeddingThreads();
            AddressPolicy addresses = new AddressPolicy(urlFetchSettings(settings).allowlist());
            models = own(new EmbeddingModels(local, Map.of(
                    MiniLmEmbeddingModel.QUANTIZED_ID,
                    () -> new MiniLmEmbeddingModel(sessions, MiniLmEmbeddingModel.Weights.INT8),
                    BgeSmallEmbeddingModel.ID,
                    () -> new BgeSmallEmbeddingModel(sessions, BgeSmallEmbeddingModel.Weights.FP32),
                    BgeSmallEmbeddingModel.QUANTIZED_ID,
                    () -> new BgeSmallEmbeddingModel(sessions, BgeSmallEmbeddingModel.Weights.INT8)),
                    providerCredentials(commandPool, RoleRequirements.keyEncryptionKeys(settings), addresses),
                    own(new GuardedProviderTransport(addresses))));
        }

        HikariDataSource projectionsPool = own(observability.pool(DataSources.pool(infrastructure, Projections.SCHEMA,
                4)));
        readiness.putIfAbsent("database", Observability.reachable(projectionsPool));
        reportLag(roles, observability.consumerLag(infrastructure.kafka()), projectionsPool);
        KafkaConnection kafka = observability.reporting(infrastructure.kafka());
        if (roles.contains(Role.PROJECTIONS)) {
            Projections projections = own(new Projections(projectionsPool, kafka));
            projections.start();
            readiness.put("projections", projections::isReady);
        }
        if (roles.contains(Role.PIPELINE)) {
            IngestionService pipeline = own(new IngestionService(new IngestionSettings(
                    kafka, INGESTION_APPLICATION_ID,
                    settings.dataDir().resolve("kafka-streams"), infrastructure.s3().bucket(),
                    settings.maxUploadBytes(), settings.maxChunkTokens(), settings.streamThreads(),
                    new EmbeddingPrices(settings.embeddingPrices()),
                    new ExtractionLimits(settings.maxPages(), settings.maxExtractedCharacters()),
                    settings.vectorIndexRows(), settings.longestDocument(),
                    settings.pipelineSessionTimeout()),
                    s3, models, store, observability.pipeline()));
            pipeline.start();
            readiness.put("pipeline", pipeline::isReady);
        }
        if (roles.contains(Role.API)) {
            ChunkSearcher searcher = new ChunkSearcher(new QueryEmbedding(models), store);
            ProjectedDocuments documents = new ProjectedDocuments(new DocumentCatalog(projectionsPool));
            LanceChunkStore chunks = store;
            api = own(new CommandApi(commandApiSettings(settings, infrastructure.s3().bucket(), kafka), commandPool,
                    s3, documents, documents, (customerId, model, documentId, version, datasetVersion) -> chunks
                            .documentRowsAsOf(customerId, model, documentId, datasetVersion).stream()
                            .filter(row -> row.docVersion() == version)
                            .map(row -> new DocumentChunks.Chunk(row.chunkIndex(), row.text(), row.page(),
                                    row.tokenCount(), row.charStart(), row.charEnd()))
                            .toList(),
                    (customerId, model, query, topK, scope, options) -> searcher
                            .search(customerId, model, query, topK, scope, options).stream()
                            .map(hit -> new SearchHit(hit.chunk().documentId(), hit.chunk().docVersion(),
                                    hit.chunk().chunkIndex(), hit.chunk().text(), hit.chunk().page(), hit.score(),
                                    hit.vectorScore(), hit.keywordScore(), hit.highlights().stream()
                                            .map(range -> new int[] {range.start(), range.end()}).toList()))
                            .toList(),
                    (customerId, model) -> chunks.versions(customerId, model).stream().mapToLong(Long::longValue).min(),
                    new ProjectedUsage(new UsageCatalog(projectionsPool)),
                    readiness, observability.requests()));
            api.start();
            readiness.put("http", () -> api.httpPort() > 0);
        }
        rolesStarted = true;
        log.info("Started roles {}", roles);
    }

    /**
     * Customers' provider keys, opened with the key-encryption keys only when a model call needs
     * them. A base URL is checked again at every use, so a host that now resolves into our own
     * network fails the document with a clear reason; the request itself goes through a
     * {@link GuardedProviderTransport}, which connects only to the addresses it vetted.
     */
    private static ProviderCredentials providerCredentials(HikariDataSource commandPool, KeyEncryptionKeys keys,
                                                           AddressPolicy addresses) {
        ProviderKeys providerKeys = new ProviderKeys(new ThreadBoundTransactionManager(commandPool),
                new KeyEncryption(keys), Clock.systemUTC());
        return (customerId, provider) -> providerKeys.open(customerId, provider).map(opened -> {
            URI baseUrl = opened.baseUrl() == null ? null : URI.create(opened.baseUrl());
            if (baseUrl != null) {
                addresses.refusal(baseUrl.getHost()).ifPresent(reason -> {
                    throw new EmbeddingModels.UnavailableModelException("your provider base URL cannot be used: "
                            + reason);
                });
            }
            return new ProviderCredentials.ProviderKey(opened.key(), baseUrl);
        });
    }

    private static CommandApiSettings commandApiSettings(Settings settings, String documentBucket,
                                                         KafkaConnection kafka) {
        KeyEncryptionKeys keys = RoleRequirements.keyEncryptionKeys(settings);
        HistoryRetention historyRetention = new HistoryRetention(settings.maxHistoryRetentionDays());
        CustomerConfiguration defaults = new CustomerConfiguration(settings.defaultRequestsPerMinute(),
                settings.defaultRequestsPerDay(), settings.defaultMaxDocuments(), settings.maxUploadBytes(),
                CustomerConfiguration.SUPPORTED_CONTENT_TYPES, settings.maxChunkTokens(), 0,
                MiniLmEmbeddingModel.ID, null,
                CustomerConfiguration.DEFAULT_BUDGET_ALERT_PERCENT, null, historyRetention.defaultDays());
        // No upload can exceed the server's limit, so that is also the default file-size ceiling.
        CustomerCeilings defaultCeilings = new CustomerCeilings(settings.ceilingRequestsPerMinute(),
                settings.ceilingRequestsPerDay(), settings.ceilingMaxDocuments(), settings.maxUploadBytes());
        return new CommandApiSettings(settings.httpHost(), settings.httpPort(), settings.trustedProxies(),
                settings.cors(), settings.adminToken().orElse(null),
                settings.maxUploadBytes(), documentBucket, kafka,
                "dynrag-publisher-0", keys,
                new TokenSettings(settings.tokenIssuer(), settings.tokenAudience(), settings.accessTokenLifetime(),
                        settings.refreshTokenLifetime(), settings.signingKeyRotation()),
                defaults, defaultCeilings, new EmbeddingPrices(settings.embeddingPrices()),
                settings.bootstrapAdminEmail().orElse(null), settings.bootstrapAdminPassword().orElse(null),
                urlFetchSettings(settings),
                new FetchBounds(settings.urlFetches(), settings.urlFetchesPerCustomer(), settings.urlTempBytes(),
                        settings.urlTempBytesPerCustomer(), settings.urlFetchQueueWait()),
                new BatchLimits(settings.batchMaxItems(), settings.batchMaxBytes()),
                new WebhookSettings(settings.webhookFirstRetry(), settings.webhookRetryWindow()),
                settings.idempotencyLease(),
                new DocumentStreams.Limits(settings.sseMaxStreams(), settings.sseMaxStreamsPerCustomer()),
                settings.toolCallRetention(), historyRetention);
    }

    private static UrlFetchSettings urlFetchSettings(Settings settings) {
        return new UrlFetchSettings(settings.urlConnectTimeout(), settings.urlFetchTimeout(),
                settings.urlMaxRedirects(), RoleRequirements.urlAllowlist(settings));
    }

    /**
     * The consumer groups of this process's roles whose lag is reported: the projections' (whose positions are
     * stored with their rows), the pipeline's (its Kafka Streams application id) and the API's ingestion results.
     * The API's webhook intake keeps its positions in the command schema and is not among them.
     */
    private static void reportLag(Set<Role> roles, ConsumerLag lag, HikariDataSource projectionsPool) {
        if (roles.contains(Role.PROJECTIONS)) {
            for (Projection projection : Projections.all()) {
                lag.storedByItself(Projections.consumerGroup(projection), projection.topics(), () -> {
                    try (Connection connection = projectionsPool.getConnection()) {
                        return AppliedRecords.offsets(connection, projection.name());
                    }
                });
            }
        }
        if (roles.contains(Role.PIPELINE)) {
            lag.committedToKafka(INGESTION_APPLICATION_ID);
        }
        if (roles.contains(Role.API)) {
            lag.committedToKafka(IngestionResultConsumer.GROUP_ID);
        }
    }

    /** The management port: metrics and health, whatever roles run. */
    public int managementPort() {
        return observability.port();
    }

    /** The command side's connection pool (active, idle, waiting connections), once the API or pipeline role runs. */
    public HikariPoolMXBean commandPool() {
        if (commandPool == null) {
            throw new IllegalStateException("neither the API nor the pipeline role is running in this process");
        }
        return commandPool.getHikariPoolMXBean();
    }

    /** The HTTP port, once the API role runs. */
    public int httpPort() {
        if (api == null) {
            throw new IllegalStateException("the API role is not running in this process");
        }
        return api.httpPort();
    }

    public boolean isReady() {
        return readiness.values().stream().allMatch(BooleanSupplier::getAsBoolean);
    }

    private <T extends AutoCloseable> T own(T resource) {
        started.push(resource);
        return resource;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable resource = started.pop();
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("Stopping {} failed: {}", resource.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
