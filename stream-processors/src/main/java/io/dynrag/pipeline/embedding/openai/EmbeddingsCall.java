package io.dynrag.pipeline.embedding.openai;

import io.dynrag.pipeline.embedding.openai.EmbeddingsWire.Answer;
import io.dynrag.pipeline.embedding.openai.EmbeddingsWire.MalformedAnswer;
import io.dynrag.pipeline.embedding.openai.EmbeddingsWire.ProviderError;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One request of one batch to {@code POST {baseUrl}/v1/embeddings}, and what its answer means: vectors, a failure
 * worth another attempt (rate limits, server errors, timeouts, network failures), or a refusal, thrown at once.
 * Whether and when to try again is {@link BatchRetries}'.
 *
 * <p>The API key goes only into the {@code Authorization} header, and provider messages that echo it lose it before
 * anyone sees them. A failed connection is told without its cause: the base URL may be a customer's, and the cause
 * would tell a closed port from a filtered one.
 */
final class EmbeddingsCall {

    private static final int MAX_PROVIDER_MESSAGE_CHARS = 500;
    private static final String REDACTED = "[redacted]";

    /** What one attempt came to. */
    sealed interface Attempt permits Delivered, Failed {
    }

    record Delivered(Answer answer) implements Attempt {
    }

    /** A failed attempt; {@code status} is 0 if no HTTP answer arrived. */
    record Failed(String description, boolean retryable, int status, String providerCode,
            Duration retryAfter, Throwable cause) implements Attempt {
    }

    private final OpenAiSettings settings;
    private final String apiKey;
    private final EmbeddingsTransport transport;
    private final URI endpoint;
    private final Map<String, String> headers;

    EmbeddingsCall(OpenAiSettings settings, String apiKey, EmbeddingsTransport transport) {
        this.settings = settings;
        this.apiKey = apiKey;
        this.transport = transport;
        this.endpoint = settings.embeddingsUri();
        this.headers = Map.of("Authorization", "Bearer " + apiKey,
                "Content-Type", "application/json", "Accept", "application/json");
    }

    URI endpoint() {
        return endpoint;
    }

    /**
     * Sends {@code request} (a batch of {@code inputs} texts) once and waits at most the request timeout.
     *
     * @throws EmbeddingProviderException if the request could not be made, the answer is unusable, or the thread
     *     was interrupted: nothing another attempt would change
     */
    Attempt send(byte[] request, int inputs, int attempt) {
        CompletableFuture<EmbeddingsTransport.Reply> pending = transport.post(endpoint, headers, request,
                settings.requestTimeout());
        EmbeddingsTransport.Reply response;
        try {
            // The deadline, whatever the transport makes of the timeout it was given: it covers the body too.
            response = pending.get(settings.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            return notAnswered();
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw interrupted(settings, attempt);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TimeoutException) {
                return notAnswered();
            }
            if (cause instanceof IOException) {
                return new Failed("the connection to the provider at " + hostAndPort() + " failed", true, 0, null,
                        null, cause);
            }
            throw new EmbeddingProviderException("Embedding with " + settings.model() + " failed: the request to "
                    + hostAndPort() + " could not be made (" + describe(cause) + ")", false, 0, null, null,
                    attempt, cause);
        }
        int status = response.status();
        if (status >= 200 && status < 300) {
            try {
                return new Delivered(EmbeddingsWire.parseAnswer(response.body(), inputs));
            } catch (MalformedAnswer e) {
                throw new EmbeddingProviderException("Embedding with " + settings.model()
                        + " failed: the provider answered HTTP " + status + " with an unusable body: "
                        + e.getMessage(), false, status, null, null, attempt, null);
            }
        }
        ProviderError error = EmbeddingsWire.parseError(response.body());
        StringBuilder description = new StringBuilder("the provider answered HTTP ").append(status);
        if (error.code() != null) {
            description.append(" (").append(customerSafe(error.code())).append(')');
        }
        if (error.message() != null) {
            description.append(": ").append(customerSafe(error.message()));
        }
        boolean retryable = status == 408 || status >= 500
                // OpenAI answers 429 both for rate limits and for a used-up quota; only the first passes.
                || (status == 429 && !"insufficient_quota".equals(error.code()));
        Duration retryAfter = RetryAfter.from(response.headers(), Instant.now()).orElse(null);
        return new Failed(description.toString(), retryable, status, error.code(), retryAfter, null);
    }

    static EmbeddingProviderException interrupted(OpenAiSettings settings, int attempt) {
        return new EmbeddingProviderException("Embedding with " + settings.model()
                + " was interrupted before the provider answered", true, 0, null, null, attempt, null);
    }

    private Failed notAnswered() {
        return new Failed("the provider did not answer within "
                + EmbeddingProviderException.seconds(settings.requestTimeout().toNanos()), true, 0, null, null, null);
    }

    /** Provider messages are shown to the customer: without the key, control characters or excess length. */
    private String customerSafe(String providerText) {
        String text = providerText.replace(apiKey, REDACTED).replaceAll("\\p{Cntrl}", " ").strip();
        return text.length() <= MAX_PROVIDER_MESSAGE_CHARS ? text : text.substring(0, MAX_PROVIDER_MESSAGE_CHARS) + "…";
    }

    private String hostAndPort() {
        return endpoint.getPort() < 0 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort();
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        return message == null || message.isBlank()
                ? failure.getClass().getSimpleName()
                : failure.getClass().getSimpleName() + ": " + message;
    }
}
