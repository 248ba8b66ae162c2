package io.dynrag.app.roles;

import io.dynrag.pipeline.embedding.openai.EmbeddingsTransport;
import io.dynrag.pipeline.embedding.openai.OpenAiSettings;
import io.dynrag.platform.outbound.AddressPolicy;
import io.dynrag.platform.outbound.GuardedHttpClient;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

/**
 * Embeddings requests to a customer's own provider base URL, through the same guarded client as URL ingest and
 * webhooks: it connects only to addresses the policy vetted as it connects, so a base URL that passed the check
 * cannot switch to an internal address before the key and the texts are sent.
 */
final class GuardedProviderTransport implements EmbeddingsTransport, AutoCloseable {

    private static final Duration CONNECT_TIMEOUT = OpenAiSettings.of(OpenAiSettings.OPENAI_BASE_URL,
            "text-embedding-3-small").connectTimeout();

    private final GuardedHttpClient http;
    private final ExecutorService calls = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("provider-call-", 0).factory());

    GuardedProviderTransport(AddressPolicy policy) {
        this.http = new GuardedHttpClient(policy, CONNECT_TIMEOUT);
    }

    @Override
    public CompletableFuture<Reply> post(URI uri, Map<String, String> headers, byte[] body, Duration timeout) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        Future<?> call = calls.submit(() -> {
            try (GuardedHttpClient.Response response = http.send(GuardedHttpClient.Request.post(uri, headers, body,
                    timeout))) {
                reply.complete(new Reply(response.status(), HttpHeaders.of(response.headers(), (name, value) -> true),
                        response.body().readAllBytes()));
            } catch (GuardedHttpClient.ExchangeTimeoutException e) {
                reply.completeExceptionally(new TimeoutException(e.getMessage()));
            } catch (IOException | RuntimeException e) {
                reply.completeExceptionally(e);
            }
        });
        // Interrupting the call closes its connection.
        reply.whenComplete((answer, failure) -> {
            if (reply.isCancelled()) {
                call.cancel(true);
            }
        });
        return reply;
    }

    @Override
    public void close() {
        calls.shutdownNow();
        http.close();
    }
}
