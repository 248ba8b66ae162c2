package io.dynrag.api;

import io.dynrag.api.document.batch.BatchLimits;
import io.dynrag.api.document.progress.DocumentStreams;
import io.dynrag.api.document.url.FetchBounds;
import io.dynrag.api.document.url.UrlFetchSettings;
import io.dynrag.domain.billing.EmbeddingPrices;
import io.dynrag.domain.customer.CustomerCeilings;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.customer.HistoryRetention;
import io.dynrag.identity.tokens.TokenSettings;
import io.dynrag.platform.crypto.KeyEncryptionKeys;
import io.dynrag.platform.http.CorsPolicy;
import io.dynrag.platform.http.TrustedProxies;
import io.dynrag.schemas.connection.KafkaConnection;
import io.dynrag.webhooks.WebhookSettings;

import java.time.Duration;

/**
 * @param trustedProxies        reverse proxies whose X-Forwarded-For names the client; none believes the peer
 * @param cors                  the browser origins whose pages may call the API
 * @param operatorToken         bearer secret with the admin role; null or blank disables it
 * @param maxUploadBytes        largest document accepted by any upload (customers may set less)
 * @param keyEncryptionKeys     keys that seal secrets at rest; the first seals, all open
 * @param customerDefaults      configuration of a new customer
 * @param defaultCeilings       how far a customer may raise its own limits unless an operator set otherwise;
 *                              every one at least its value in {@code customerDefaults}
 * @param kafka                 the Kafka servers, client properties and client hook of every producer and consumer
 * @param embeddingPrices       what the pipeline will charge per token, to hold uploads against budgets
 * @param bootstrapAdminEmail   creates this admin at start when no admin exists (with the password)
 * @param urlFetch              timeouts, redirects and the address allowlist of documents fetched from URLs
 * @param urlFetchBounds        how many URL fetches run at once and how many bytes their pages hold, in
 *                              all and per customer
 * @param batchLimits           items and bytes of one {@code POST /v1/documents/batch}
 * @param webhooks              retries of webhook deliveries
 * @param idempotencyLease      how long a request under an Idempotency-Key may run before a retry may take
 *                              the key over (its instance presumed dead); retries meanwhile get 409
 * @param documentStreams       how many document event streams this instance keeps open, in all and per customer
 * @param toolCallRetention     how long the tool-call log keeps a call of an MCP tool
 * @param historyRetention      the operator's ceiling on how far back a customer's searches may travel in time
 */
public record CommandApiSettings(
        String httpHost,
        int httpPort,
        TrustedProxies trustedProxies,
        CorsPolicy cors,
        String operatorToken,
        long maxUploadBytes,
        String documentBucket,
        KafkaConnection kafka,
        String publisherTransactionalId,
        KeyEncryptionKeys keyEncryptionKeys,
        TokenSettings tokens,
        CustomerConfiguration customerDefaults,
        CustomerCeilings defaultCeilings,
        EmbeddingPrices embeddingPrices,
        String bootstrapAdminEmail,
        String bootstrapAdminPassword,
        UrlFetchSettings urlFetch,
        FetchBounds urlFetchBounds,
        BatchLimits batchLimits,
        WebhookSettings webhooks,
        Duration idempotencyLease,
        DocumentStreams.Limits documentStreams,
        Duration toolCallRetention,
        HistoryRetention historyRetention) {

    /** JSON bodies are small; anything larger is refused before it is parsed. */
    public static final long MAX_JSON_BYTES = 1_000_000;

    /** Keeps secrets out of logs. */
    @Override
    public String toString() {
        return "CommandApiSettings[http=" + httpHost + ":" + httpPort + ", trustedProxies=" + trustedProxies
                + ", bucket=" + documentBucket + ", kafka="
                + kafka + ", tokens=" + tokens + "]";
    }
}
