package io.dynrag.pipeline.embedding.openai;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * How embeddings requests reach the provider. OpenAI's own endpoint is reached with the JDK's client
 * ({@link #of(HttpClient)}); a customer's own base URL points wherever the customer says, so whoever wires the
 * models gives a transport that connects only where its network policy allows.
 */
@FunctionalInterface
public interface EmbeddingsTransport {

    /** What the provider answered, whatever the status. */
    record Reply(int status, HttpHeaders headers, byte[] body) {
    }

    /**
     * POSTs {@code body} to {@code uri}. Cancelling the returned future abandons the exchange.
     *
     * @param timeout the longest the exchange may take, the answer's body included
     * @return completes with the answer; exceptionally with a {@link TimeoutException} when the timeout passed,
     *     with an {@link java.io.IOException} when no answer arrived
     */
    CompletableFuture<Reply> post(URI uri, Map<String, String> headers, byte[] body, Duration timeout);

    /** Over the JDK's client; the caller's own deadline ends the exchange (it cancels the future). */
    static EmbeddingsTransport of(HttpClient http) {
        return (uri, headers, body, timeout) -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body));
            headers.forEach(request::header);
            CompletableFuture<HttpResponse<byte[]>> sent = http.sendAsync(request.build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            CompletableFuture<Reply> reply = sent.thenApply(response ->
                    new Reply(response.statusCode(), response.headers(), response.body()));
            reply.whenComplete((answer, failure) -> {
                if (reply.isCancelled()) {
                    sent.cancel(true);
                }
            });
            return reply;
        };
    }
}
