package io.dynrag.api;

import io.dynrag.api.document.DocumentChunks;
import io.dynrag.api.document.DocumentListing;
import io.dynrag.api.document.DocumentLookup;
import io.dynrag.api.document.RetainedVersions;
import io.dynrag.api.document.batch.BatchLimits;
import io.dynrag.api.document.progress.DocumentStreams;
import io.dynrag.api.document.url.FetchBounds;
import io.dynrag.api.document.url.UrlFetchSettings;
import io.dynrag.api.search.ChunkSearch;
import io.dynrag.api.usage.UsageReports;
import io.dynrag.domain.billing.EmbeddingPrices;
import io.dynrag.domain.customer.CustomerCeilings;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.customer.HistoryRetention;
import io.dynrag.identity.tokens.TokenSettings;
import io.dynrag.platform.crypto.KeyEncryptionKeys;
import io.dynrag.platform.http.CorsPolicy;
import io.dynrag.platform.http.RequestObserver;
import io.dynrag.platform.http.TrustedProxies;
import io.dynrag.platform.outbound.AddressAllowlist;
import io.dynrag.platform.testing.TestDatabase;
import io.dynrag.schemas.connection.KafkaConnection;
import io.dynrag.webhooks.WebhookSettings;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;

/**
 * The routes the API registers, as {@code METHOD /path}. The API is built as the {@code api} role builds it, on the
 * test database, but not started: its routes are known once it is built, so no Kafka, S3 or HTTP port is needed.
 */
public final class RegisteredRoutes {

    /** Nothing listens on the discard port: the clients built here are never used. */
    private static final String UNUSED_ADDRESS = "127.0.0.1:9";

    private RegisteredRoutes() {
    }

    public static TreeSet<String> ofTheApi() {
        try (S3Client s3 = unusedS3(); CommandApi api = new CommandApi(settings(), TestDatabase.get().dataSource(), s3,
                notUsed(DocumentLookup.class), notUsed(DocumentListing.class), notUsed(DocumentChunks.class),
                notUsed(ChunkSearch.class), notUsed(RetainedVersions.class), notUsed(UsageReports.class), Map.of(),
                RequestObserver.NONE)) {
            return new TreeSet<>(api.httpRoutes());
        }
    }

    private static CommandApiSettings settings() {
        long maxUploadBytes = 1_000_000;
        return new CommandApiSettings("127.0.0.1", 0, TrustedProxies.NONE, CorsPolicy.NONE, "operator-token",
                maxUploadBytes,
                "documents", KafkaConnection.to(UNUSED_ADDRESS), "route-table-test", KeyEncryptionKeys.generate("test"),
                TokenSettings.withDefaultLifetimes("dynrag", "dynrag-api"),
                new CustomerConfiguration(600, 100_000, 100, maxUploadBytes,
                        CustomerConfiguration.SUPPORTED_CONTENT_TYPES, 200, 0, CustomerConfiguration.LOCAL_MODEL, null,
                        CustomerConfiguration.DEFAULT_BUDGET_ALERT_PERCENT, null, 30),
                new CustomerCeilings(600, 100_000, 100, maxUploadBytes), new EmbeddingPrices(Map.of(CustomerConfiguration.LOCAL_MODEL, BigDecimal.ZERO)),
                null, null,
                new UrlFetchSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), 1, AddressAllowlist.NONE),
                new FetchBounds(1, 1, maxUploadBytes, maxUploadBytes, Duration.ZERO),
                new BatchLimits(10, maxUploadBytes), WebhookSettings.DEFAULTS, Duration.ofSeconds(60),
                new DocumentStreams.Limits(1, 1), Duration.ofDays(90), new HistoryRetention(365));
    }

    private static S3Client unusedS3() {
        return S3Client.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(URI.create("http://" + UNUSED_ADDRESS))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("unused", "unused")))
                .build();
    }

    /** A port the API only calls while answering requests, which this test never sends. */
    private static <T> T notUsed(Class<T> port) {
        return port.cast(Proxy.newProxyInstance(port.getClassLoader(), new Class<?>[]{port}, (proxy, method, args) -> {
            throw new UnsupportedOperationException(port.getSimpleName() + " is not used to list routes");
        }));
    }
}
