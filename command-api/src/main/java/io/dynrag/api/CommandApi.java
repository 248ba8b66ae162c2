package io.dynrag.api;

import io.dynrag.api.audit.AuditEndpoints;
import io.dynrag.api.audit.AuditLog;
import io.dynrag.api.audit.ToolCallLog;
import io.dynrag.api.axon.EventSourcing;
import io.dynrag.api.budget.BudgetAlerts;
import io.dynrag.api.budget.BudgetEndpoints;
import io.dynrag.api.budget.BudgetLedger;
import io.dynrag.api.document.DocumentEndpoints;
import io.dynrag.api.document.DocumentIntake;
import io.dynrag.api.document.DocumentChunks;
import io.dynrag.api.document.DocumentChunksEndpoints;
import io.dynrag.api.document.DocumentContentEndpoints;
import io.dynrag.api.document.DocumentListEndpoints;
import io.dynrag.api.document.DocumentListing;
import io.dynrag.api.document.DocumentLookup;
import io.dynrag.api.document.DocumentObjects;
import io.dynrag.api.document.DocumentReads;
import io.dynrag.api.document.DocumentStates;
import io.dynrag.api.document.EventStoreDocumentLookup;
import io.dynrag.api.document.PastDocumentList;
import io.dynrag.api.document.OrphanObjectSweeper;
import io.dynrag.api.document.RetainedVersions;
import io.dynrag.api.document.UrlIntake;
import io.dynrag.api.document.batch.BatchEndpoints;
import io.dynrag.api.document.progress.DocumentEventsEndpoint;
import io.dynrag.api.document.progress.DocumentStreams;
import io.dynrag.api.document.progress.DocumentUpdatesFeed;
import io.dynrag.api.document.progress.DocumentWatches;
import io.dynrag.api.document.progress.ProgressTracker;
import io.dynrag.api.document.progress.WithProgress;
import io.dynrag.api.document.url.FetchAdmission;
import io.dynrag.api.document.url.PageFetcher;
import io.dynrag.api.ingestion.IngestionResultConsumer;
import io.dynrag.api.mcp.McpEndpoint;
import io.dynrag.api.openapi.OpenApiEndpoints;
import io.dynrag.api.publishing.KafkaEventPublisher;
import io.dynrag.api.search.ChunkSearch;
import io.dynrag.api.search.SearchEndpoints;
import io.dynrag.api.search.SearchHistory;
import io.dynrag.api.search.SearchService;
import io.dynrag.api.search.rerank.MeteredReranker;
import io.dynrag.api.search.rerank.ProviderReranker;
import io.dynrag.api.usage.UsageEndpoints;
import io.dynrag.api.usage.UsageFacts;
import io.dynrag.api.usage.UsageRecording;
import io.dynrag.api.usage.UsageReports;
import io.dynrag.identity.access.Access;
import io.dynrag.identity.access.RateLimitEndpoints;
import io.dynrag.identity.accounts.CustomerAccounts;
import io.dynrag.identity.accounts.CustomerRegistration;
import io.dynrag.identity.accounts.ProviderKeys;
import io.dynrag.identity.auth.AdminAccounts;
import io.dynrag.identity.auth.ApiKeyEndpoints;
import io.dynrag.identity.auth.AuthEndpoints;
import io.dynrag.identity.credentials.ApiKeys;
import io.dynrag.identity.credentials.Authenticator;
import io.dynrag.identity.customer.CustomerConfigEndpoints;
import io.dynrag.identity.customer.CustomerDeletion;
import io.dynrag.identity.customer.CustomerEndpoints;
import io.dynrag.identity.datakeys.CustomerDataKeys;
import io.dynrag.identity.passwords.LoginThrottle;
import io.dynrag.identity.passwords.PasswordHasher;
import io.dynrag.identity.ratelimit.RateLimits;
import io.dynrag.identity.tokens.AccessTokens;
import io.dynrag.identity.tokens.RefreshTokens;
import io.dynrag.identity.tokens.SigningKeys;
import io.dynrag.identity.users.UserAccounts;
import io.dynrag.platform.crypto.KeyEncryption;
import io.dynrag.platform.http.HttpServer;
import io.dynrag.platform.http.RequestObserver;
import io.dynrag.platform.http.Json;
import io.dynrag.platform.idempotency.IdempotencyRecords;
import io.dynrag.platform.idempotency.IdempotentCalls;
import io.dynrag.platform.idempotency.IdempotentPosts;
import io.dynrag.platform.outbound.AddressPolicy;
import io.dynrag.platform.persistence.Migrations;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import io.dynrag.webhooks.WebhookMigrations;
import io.dynrag.webhooks.WebhookService;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The command side as one service: HTTP API, authentication, Axon on PostgreSQL, the publisher of
 * events to Kafka and the consumer of pipeline outcomes. Queries it does not own (the documents
 * read model, vector search) come in as ports. This is the one place that wires it.
 */
public final class CommandApi implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CommandApi.class);
    private static final int PUBLISHER_BATCH_SIZE = 100;
    /** Longer than any upload takes to reach the event store, so only a request whose instance died is taken over. */
    private static final Duration IDEMPOTENCY_RETENTION = Duration.ofHours(24);
    /** Far longer than an upload takes from storing its bytes to committing its event. */
    private static final Duration ORPHAN_OBJECT_MIN_AGE = Duration.ofHours(1);

    private final KafkaEventPublisher publisher;
    private final EventSourcing eventSourcing;
    private final IngestionResultConsumer ingestionResults;
    private final HttpServer http;
    private final SigningKeys signingKeys;
    private final AdminAccounts admins;
    private final PageFetcher pageFetcher;
    private final DocumentWatches documentWatches;
    private final DocumentUpdatesFeed documentUpdates;
    private final DocumentStreams documentStreams;
    private final WebhookService webhooks;
    private final RateLimits rateLimits;
    private final UsageFacts usageFacts;
    private final ProviderReranker reranker;
    private final IdempotencyRecords idempotencyRecords;
    private final LoginThrottle loginThrottle;
    private final OrphanObjectSweeper orphanObjects;
    private final McpEndpoint mcp;
    private final ToolCallLog toolCalls;
    private final CommandApiSettings settings;
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("command-api-housekeeping").daemon().factory());

    /**
     * @param dataSource  a pool whose connections use the {@value Migrations#SCHEMA} schema
     * @param readModel   the documents projection
     * @param listing     the documents projection's list
     * @param chunks      the chunks of indexed versions (the vector store)
     * @param retained    the oldest dataset versions the cleanup of their history kept (the vector store)
     * @param usage       the usage projection
     * @param otherChecks readiness of the other roles in this process, shown on {@code /health}
     * @param requests    told of every answered request, for the role's metrics
     */
    public CommandApi(CommandApiSettings settings, DataSource dataSource, S3Client s3, DocumentLookup readModel,
                      DocumentListing listing, DocumentChunks chunks, ChunkSearch search, RetainedVersions retained,
                      UsageReports usage, Map<String, BooleanSupplier> otherChecks,
                      RequestObserver requests) {
        this.settings = settings;
        Clock clock = Clock.systemUTC();
        Migrations.migrate(dataSource);
        WebhookMigrations.migrate(dataSource);
        ThreadBoundTransactionManager transactions = new ThreadBoundTransactionManager(dataSource);
        KeyEncryption keyEncryption = new KeyEncryption(settings.keyEncryptionKeys());
        CustomerAccounts accounts = new CustomerAccounts(transactions, Json.apiMapper(), settings.defaultCeilings());
        DocumentStates documentStates = new DocumentStates(transactions);
        BudgetLedger budget = new BudgetLedger(transactions, settings.embeddingPrices(), clock);
        this.toolCalls = new ToolCallLog(transactions);

        this.publisher = new KafkaEventPublisher(settings.kafka(), settings.publisherTransactionalId());
        this.eventSourcing = new EventSourcing(transactions, Json.eventMapper(), publisher, PUBLISHER_BATCH_SIZE,
                Map.of(CustomerAccounts.PROCESSING_GROUP, accounts, DocumentStates.PROCESSING_GROUP, documentStates,
                        BudgetLedger.PROCESSING_GROUP, budget, ToolCallLog.PROCESSING_GROUP, toolCalls));
        CommandGateway commands = eventSourcing.commandGateway();
        BudgetAlerts budgetAlerts = new BudgetAlerts(budget, accounts, commands);
        this.ingestionResults = new IngestionResultConsumer(settings.kafka(), commands, budgetAlerts);

        UserAccounts users = new UserAccounts(transactions);
        PasswordHasher passwords = new PasswordHasher();
        ApiKeys apiKeys = new ApiKeys(transactions, clock);
        CustomerDataKeys dataKeys = new CustomerDataKeys(transactions, keyEncryption);
        this.signingKeys = new SigningKeys(transactions, keyEncryption, clock, settings.tokens());
        AccessTokens accessTokens = new AccessTokens(signingKeys, settings.tokens(), clock);
        ProviderKeys providerKeys = new ProviderKeys(transactions, keyEncryption, clock);
        CustomerRegistration registration = new CustomerRegistration(transactions, commands, dataKeys,
                settings.customerDefaults());
        this.admins = new AdminAccounts(users, passwords);
        this.rateLimits = new RateLimits(dataSource, clock, settings.defaultCeilings());
        Access access = new Access(new Authenticator(settings.operatorToken(), apiKeys, accessTokens, accounts),
                rateLimits);

        DocumentObjects documentObjects = new DocumentObjects(s3, settings.documentBucket());
        DocumentIntake intake = new DocumentIntake(commands, transactions, accounts, documentStates,
                documentObjects, budget, settings.maxUploadBytes(), settings.historyRetention());
        this.orphanObjects = new OrphanObjectSweeper(documentObjects, transactions, clock);
        this.pageFetcher = new PageFetcher(settings.urlFetch());
        UrlIntake urls = new UrlIntake(intake, pageFetcher, new FetchAdmission(settings.urlFetchBounds()));

        ProgressTracker progress = new ProgressTracker(clock);
        EventStoreDocumentLookup history = new EventStoreDocumentLookup(eventSourcing.eventStore());
        this.documentWatches = new DocumentWatches(history::changesSince, progress);
        this.documentUpdates = new DocumentUpdatesFeed(settings.kafka(), documentWatches, progress);
        this.documentStreams = new DocumentStreams(settings.documentStreams(), documentWatches, clock);
        DocumentLookup fromEvents = new WithProgress(history, progress);
        PastDocumentList pastListing = new PastDocumentList(transactions, listing);
        DocumentReads reads = new DocumentReads(documentStates, new WithProgress(readModel, progress), fromEvents);
        this.webhooks = new WebhookService(settings.webhooks(), settings.kafka(), transactions,
                keyEncryption, new AddressPolicy(settings.urlFetch().allowlist()), access, clock);

        this.usageFacts = new UsageFacts(settings.kafka(), clock);
        this.reranker = new ProviderReranker(providerKeys::open, new AddressPolicy(settings.urlFetch().allowlist()));

        this.idempotencyRecords = new IdempotencyRecords(transactions, keyEncryption, settings.idempotencyLease(),
                IDEMPOTENCY_RETENTION);
        IdempotentPosts idempotentPosts = new IdempotentPosts(idempotencyRecords, access::idempotencyCaller,
                AuthEndpoints.CREDENTIAL_PATHS);
        this.loginThrottle = new LoginThrottle(transactions, clock);

        DocumentListEndpoints listEndpoints = new DocumentListEndpoints(access, listing, pastListing);
        DocumentChunksEndpoints chunksEndpoints = new DocumentChunksEndpoints(access, intake, history, chunks, retained);
        SearchService searchService = new SearchService(search, documentStates, accounts, history,
                new SearchHistory(eventSourcing.eventStore(), transactions, Json.eventMapper(), retained), listing,
                pastListing, new MeteredReranker(reranker, accounts, budget, budgetAlerts, usageFacts),
                settings.historyRetention());
        this.mcp = McpEndpoint.of(access, Refusals.mapping(), searchService, reads, intake, urls, listEndpoints,
                chunksEndpoints, new IdempotentCalls(idempotencyRecords), toolCalls, requests, clock);

        Map<String, BooleanSupplier> checks = new LinkedHashMap<>(otherChecks);
        checks.put("command-api.ingestion-results", ingestionResults::isReady);
        checks.put("command-api.event-publisher", eventSourcing::isPublishing);
        checks.put("command-api.webhooks", webhooks::isReady);
        checks.put("command-api.document-updates", documentUpdates::isReady);
        this.http = new HttpServer(settings.httpHost(), settings.httpPort(), settings.trustedProxies(),
                settings.cors(), CommandApiSettings.MAX_JSON_BYTES, settings.maxUploadBytes(), Json.apiMapper(),
                List.of(
                        new AuthEndpoints(access, registration, accounts, users, passwords, loginThrottle,
                                accessTokens, new RefreshTokens(transactions, clock, settings.tokens()), signingKeys,
                                settings.tokens(), clock),
                        new ApiKeyEndpoints(access, apiKeys, accounts),
                        new CustomerEndpoints(access, commands, registration, accounts,
                                new CustomerDeletion(transactions, commands, dataKeys, apiKeys, users, providerKeys),
                                apiKeys, settings.maxUploadBytes()),
                        new CustomerConfigEndpoints(access, commands, accounts, providerKeys, transactions,
                                new AddressPolicy(settings.urlFetch().allowlist()), settings.defaultCeilings(),
                                settings.historyRetention()),
                        new DocumentEndpoints(access, commands, intake, urls, reads, fromEvents, history),
                        listEndpoints,
                        new DocumentContentEndpoints(access, intake, history, documentObjects),
                        chunksEndpoints,
                        new DocumentEventsEndpoint(access, intake, documentStreams),
                        new BatchEndpoints(access, intake, urls, settings.batchLimits(), Refusals.mapping()),
                        new SearchEndpoints(access, searchService),
                        mcp,
                        webhooks.endpoints(),
                        new RateLimitEndpoints(access),
                        new UsageEndpoints(access, usage, clock),
                        new BudgetEndpoints(access, accounts, budget),
                        new AuditEndpoints(access, new AuditLog(transactions), intake, accounts, toolCalls,
                                Set.copyOf(mcp.toolNames())),
                        new UsageRecording(access, usageFacts),
                        new OpenApiEndpoints(),
                        idempotentPosts),
                idempotentPosts, Refusals.mapping(), checks, requests);
    }

    public CommandApi start() {
        signingKeys.ensureCurrent();
        // A long-running instance must still rotate its signing key when the period is over.
        housekeeping.scheduleWithFixedDelay(this::rotateSigningKeyWhenDue, 1, 1, TimeUnit.HOURS);
        housekeeping.scheduleWithFixedDelay(this::forgetIdleRateLimits, 1, 1, TimeUnit.HOURS);
        housekeeping.scheduleWithFixedDelay(this::deleteExpiredIdempotencyRecords, 1, 1, TimeUnit.HOURS);
        housekeeping.scheduleWithFixedDelay(this::forgetStaleSignInCounters, 1, 1, TimeUnit.HOURS);
        housekeeping.scheduleWithFixedDelay(this::sweepOrphanObjects, 10, 60, TimeUnit.MINUTES);
        housekeeping.scheduleWithFixedDelay(this::pruneToolCalls, 5, 60, TimeUnit.MINUTES);
        if (admins.bootstrap(settings.bootstrapAdminEmail(), settings.bootstrapAdminPassword())) {
            log.info("Created the first admin account {}", settings.bootstrapAdminEmail());
        }
        eventSourcing.start();
        ingestionResults.start();
        documentUpdates.start();
        documentStreams.start();
        webhooks.start();
        http.start();
        return this;
    }

    public int httpPort() {
        return http.port();
    }

    /** The routes the HTTP API serves, as {@code METHOD /path}; see {@link HttpServer#routes()}. */
    public List<String> httpRoutes() {
        return http.routes();
    }

    private void rotateSigningKeyWhenDue() {
        try {
            signingKeys.ensureCurrent();
        } catch (RuntimeException e) {
            log.warn("Checking the signing key's age failed; retrying in an hour: {}", e.toString());
        }
    }

    private void forgetIdleRateLimits() {
        try {
            rateLimits.forgetIdle();
        } catch (RuntimeException e) {
            log.warn("Sweeping idle rate-limit counters failed; retrying in an hour: {}", e.toString());
        }
    }

    private void deleteExpiredIdempotencyRecords() {
        try {
            int deleted = idempotencyRecords.deleteExpired();
            log.debug("Deleted {} expired idempotency records", deleted);
        } catch (RuntimeException e) {
            log.warn("Deleting expired idempotency records failed; retrying in an hour: {}", e.toString());
        }
    }

    private void forgetStaleSignInCounters() {
        try {
            loginThrottle.forgetStale();
        } catch (RuntimeException e) {
            log.warn("Deleting stale sign-in counters failed; retrying in an hour: {}", e.toString());
        }
    }

    private void sweepOrphanObjects() {
        try {
            orphanObjects.sweep("tenants/", ORPHAN_OBJECT_MIN_AGE);
        } catch (RuntimeException e) {
            log.warn("Sweeping orphaned objects failed; retrying in an hour: {}", e.toString());
        }
    }

    private void pruneToolCalls() {
        try {
            int deleted = toolCalls.deleteBefore(Instant.now().minus(settings.toolCallRetention()));
            log.debug("Deleted {} tool calls past their retention", deleted);
        } catch (RuntimeException e) {
            log.warn("Deleting tool calls past their retention failed; retrying in an hour: {}", e.toString());
        }
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
        // Open streams would hold the HTTP server's stop until they end.
        documentStreams.close();
        http.close();
        mcp.close();
        pageFetcher.close();
        reranker.close();
        documentUpdates.close();
        documentWatches.close();
        webhooks.close();
        usageFacts.close();
        ingestionResults.close();
        eventSourcing.close();
        publisher.close();
    }
}
