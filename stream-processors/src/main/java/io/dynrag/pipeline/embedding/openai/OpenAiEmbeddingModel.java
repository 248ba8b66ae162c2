package io.dynrag.pipeline.embedding.openai;

import io.dynrag.pipeline.embedding.EmbeddingModel;
import io.dynrag.pipeline.embedding.TokenCounter;
import io.dynrag.pipeline.embedding.openai.EmbeddingsWire.Answer;
import io.dynrag.pipeline.embedding.openai.EmbeddingsWire.MalformedAnswer;
import io.dynrag.pipeline.embedding.openai.EmbeddingsWire.ProviderError;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds texts with an OpenAI-compatible HTTP endpoint ({@code POST {baseUrl}/v1/embeddings}),
 * authenticated with the customer's own API key.
 *
 * <p>Texts are counted with cl100k_base and sent in batches within both the provider's input and
 * token limits; a text over {@link OpenAiSettings#maxInputTokens()} is refused before anything is
 * sent, never truncated. Rate limits (429), server errors (5xx, 408), timeouts and network failures
 * are retried with exponential backoff and full jitter, or after the {@code Retry-After} the
 * provider asked for, within {@link OpenAiSettings#maxAttempts()} and
 * {@link OpenAiSettings#retryBudget()}; refusals (400, 401, 403, 404, 422, an exhausted quota) are
 * not. Failures surface as {@link EmbeddingProviderException}.
 *
 * <p>The API key is held only in this object's memory and sent only in the {@code Authorization}
 * header; it appears in no message, log line or {@link #toString()}, and is removed from provider
 * error messages that echo it. Safe for concurrent use; batches of one call are sent one after the
 * other. The {@link HttpClient} or {@link EmbeddingsTransport} stays the caller's: {@link #close()} does not
 * close it, so one can serve the models of many customers. A failed connection is told without its cause
 * (which is logged): the base URL may be a customer's, and the cause would tell a closed port from a
 * filtered one.
 */
public final class OpenAiEmbeddingModel implements EmbeddingModel {

    private static final Logger log = LoggerFactory.getLogger(OpenAiEmbeddingModel.class);
    private static final int MAX_PROVIDER_MESSAGE_CHARS = 500;
    private static final String REDACTED = "[redacted]";

    private final OpenAiSettings settings;
    private final String apiKey;
    private final EmbeddingsTransport transport;
    private final URI endpoint;
    private final String id;
    private final TokenCounter tokenizer = Cl100kTokenCounter.INSTANCE;
    private final AtomicReference<EmbeddingUsage> totalUsage = new AtomicReference<>(EmbeddingUsage.NONE);
    private volatile boolean closed;

    /**
     * @param apiKey the customer's decrypted key, sent as {@code Authorization: Bearer <apiKey>}
     * @param http a client built by {@link #newHttpClient(OpenAiSettings)} or shared with other models
     */
    public OpenAiEmbeddingModel(OpenAiSettings settings, String apiKey, HttpClient http) {
        this(settings, apiKey, EmbeddingsTransport.of(Objects.requireNonNull(http, "http")));
    }

    /**
     * @param apiKey the customer's decrypted key, sent as {@code Authorization: Bearer <apiKey>}
     * @param transport how requests reach {@link OpenAiSettings#baseUrl()}
     */
    public OpenAiEmbeddingModel(OpenAiSettings settings, String apiKey, EmbeddingsTransport transport) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.apiKey = requireUsableKey(apiKey);
        this.transport = Objects.requireNonNull(transport, "transport");
        this.endpoint = settings.embeddingsUri();
        // Shortened vectors are not comparable with full ones, so they get an id of their own.
        this.id = settings.requestDimensions() ? settings.model() + "-" + settings.dimensions() : settings.model();
    }

    /** A client with the settings' connect timeout; it negotiates HTTP/2 with servers that offer it. */
    public static HttpClient newHttpClient(OpenAiSettings settings) {
        return HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * The provider's model name, e.g. {@code text-embedding-3-small}; with
     * {@link OpenAiSettings#withRequestedDimensions(int) requested dimensions} followed by their
     * number, e.g. {@code text-embedding-3-large-1024}.
     */
    @Override
    public String id() {
        return id;
    }

    @Override
    public int dimensions() {
        return settings.dimensions();
    }

    @Override
    public int maxInputTokens() {
        return settings.maxInputTokens();
    }

    /** cl100k_base, the encoding of OpenAI's embedding models. */
    @Override
    public TokenCounter tokenizer() {
        return tokenizer;
    }

    public OpenAiSettings settings() {
        return settings;
    }

    /**
     * @throws IllegalArgumentException if a text is empty or over {@link #maxInputTokens()}; nothing
     *     is sent then
     * @throws EmbeddingProviderException if the provider does not deliver usable vectors
     */
    @Override
    public List<float[]> embed(List<String> texts) {
        return embedMetered(texts).vectors();
    }

    /**
     * Like {@link #embed(List)}, and also returns what the provider billed for this call. Tokens of
     * batches that succeeded before a later batch failed are lost to the caller here, but counted in
     * {@link #totalUsage()}.
     */
    public MeteredEmbeddings embedMetered(List<String> texts) {
        if (closed) {
            throw new IllegalStateException("the embedding model " + id + " is closed");
        }
        Objects.requireNonNull(texts, "texts");
        int[] tokens = countWithinLimits(texts);
        float[][] vectors = new float[texts.size()][];
        EmbeddingUsage usage = EmbeddingUsage.NONE;
        for (int[] batch : batches(tokens)) {
            int from = batch[0];
            int to = batch[1];
            long batchTokens = 0;
            for (int i = from; i < to; i++) {
                batchTokens += tokens[i];
            }
            BatchResult result = embedBatch(texts.subList(from, to), from, batchTokens);
            System.arraycopy(result.vectors(), 0, vectors, from, to - from);
            usage = usage.plus(result.usage());
        }
        return new MeteredEmbeddings(List.of(vectors), usage);
    }

    /** Everything this model was billed for since it was created, over all calls and threads. */
    public EmbeddingUsage totalUsage() {
        return totalUsage.get();
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "OpenAiEmbeddingModel[id=" + id + ", endpoint=" + endpoint + ", dimensions=" + dimensions() + "]";
    }

    private int[] countWithinLimits(List<String> texts) {
        for (int i = 0; i < texts.size(); i++) {
            String text = Objects.requireNonNull(texts.get(i), "text " + i);
            if (text.isEmpty()) {
                throw new IllegalArgumentException("text " + i + " is empty; the provider does not embed empty texts");
            }
        }
        int[] tokens = tokenizer.countAll(texts);
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] > settings.maxInputTokens()) {
                throw new IllegalArgumentException("text " + i + " has " + tokens[i] + " tokens; "
                        + settings.model() + " accepts at most " + settings.maxInputTokens()
                        + " (split it into smaller chunks)");
            }
        }
        return tokens;
    }

    /** Consecutive index ranges {@code [from, to)}, each within both batch limits. */
    private List<int[]> batches(int[] tokens) {
        List<int[]> batches = new ArrayList<>();
        int from = 0;
        long batchTokens = 0;
        for (int i = 0; i < tokens.length; i++) {
            if (i - from == settings.maxBatchInputs() || batchTokens + tokens[i] > settings.maxBatchTokens()) {
                batches.add(new int[] {from, i});
                from = i;
                batchTokens = 0;
            }
            batchTokens += tokens[i];
        }
        if (from < tokens.length) {
            batches.add(new int[] {from, tokens.length});
        }
        return batches;
    }

    private record BatchResult(float[][] vectors, EmbeddingUsage usage) {
    }

    private BatchResult embedBatch(List<String> texts, int firstIndex, long localTokens) {
        Integer requestedDimensions = settings.requestDimensions() ? settings.dimensions() : null;
        Map<String, String> headers = Map.of("Authorization", "Bearer " + apiKey,
                "Content-Type", "application/json", "Accept", "application/json");
        byte[] request = EmbeddingsWire.request(settings.model(), texts, requestedDimensions);
        long started = System.nanoTime();
        long deadline = started + settings.retryBudget().toNanos();
        for (int attempt = 1; ; attempt++) {
            Attempt outcome = send(headers, request, texts.size(), attempt);
            if (outcome instanceof Delivered delivered) {
                Answer answer = delivered.answer();
                EmbeddingUsage usage = billed(answer, localTokens, attempt);
                // Billed even if the vectors turn out unusable below.
                totalUsage.accumulateAndGet(usage, EmbeddingUsage::plus);
                requireUsable(answer.vectors(), firstIndex, attempt);
                return new BatchResult(answer.vectors(), usage);
            }
            Failed failure = (Failed) outcome;
            String giveUpReason = null;
            Duration delay = null;
            long remaining = deadline - System.nanoTime();
            if (!failure.retryable()) {
                giveUpReason = "";
            } else if (attempt >= settings.maxAttempts()) {
                giveUpReason = "; gave up after " + attempt + " attempts in " + seconds(System.nanoTime() - started);
            } else if (remaining <= 0) {
                giveUpReason = "; gave up after " + attempt + " attempts, the retry budget of "
                        + seconds(settings.retryBudget().toNanos()) + " is spent";
            } else if (failure.retryAfter() != null && failure.retryAfter().toNanos() > remaining) {
                // Asking again before the provider's time would only be refused again.
                giveUpReason = "; it asked to retry after " + seconds(failure.retryAfter().toNanos())
                        + ", beyond the retry budget (" + attempt + " attempts made)";
            } else {
                delay = failure.retryAfter() != null ? failure.retryAfter() : backoff(attempt, remaining);
            }
            if (giveUpReason != null) {
                totalUsage.accumulateAndGet(new EmbeddingUsage(0, 0, 0, attempt - 1, false), EmbeddingUsage::plus);
                throw new EmbeddingProviderException("Embedding with " + settings.model() + " failed: "
                        + failure.description() + giveUpReason, failure.retryable(), failure.status(),
                        failure.providerCode(), failure.retryAfter(), attempt, failure.cause());
            }
            log.warn("Embedding request to {} for {} failed ({}{}); retry {} of {} in {} ms", endpoint.getHost(),
                    settings.model(), failure.description(), failure.cause() == null ? "" : ": " + failure.cause(),
                    attempt, settings.maxAttempts() - 1, delay.toMillis());
            pause(delay, attempt);
        }
    }

    private sealed interface Attempt permits Delivered, Failed {
    }

    private record Delivered(Answer answer) implements Attempt {
    }

    /** A failed attempt; {@code status} is 0 if no HTTP answer arrived. */
    private record Failed(String description, boolean retryable, int status, String providerCode,
            Duration retryAfter, Throwable cause) implements Attempt {
    }

    private Attempt send(Map<String, String> headers, byte[] request, int inputs, int attempt) {
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
            throw interrupted(attempt);
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

    private Failed notAnswered() {
        return new Failed("the provider did not answer within " + seconds(settings.requestTimeout().toNanos()),
                true, 0, null, null, null);
    }

    private static EmbeddingUsage billed(Answer answer, long localTokens, int attempts) {
        boolean estimated = answer.promptTokens() == null;
        long promptTokens = estimated ? localTokens : answer.promptTokens();
        long totalTokens = answer.totalTokens() != null ? answer.totalTokens() : promptTokens;
        return new EmbeddingUsage(promptTokens, totalTokens, 1, attempts - 1, estimated);
    }

    /** Checks every vector's length and scales it to unit length. */
    private void requireUsable(float[][] vectors, int firstIndex, int attempts) {
        for (int i = 0; i < vectors.length; i++) {
            float[] vector = vectors[i];
            if (vector.length != settings.dimensions()) {
                throw new EmbeddingProviderException("Embedding with " + settings.model() + " failed: the provider"
                        + " returned a vector of " + vector.length + " dimensions for text " + (firstIndex + i)
                        + ", but " + settings.dimensions() + " are configured for this model",
                        false, 200, null, null, attempts, null);
            }
            if (!normalise(vector)) {
                throw new EmbeddingProviderException("Embedding with " + settings.model() + " failed: the provider"
                        + " returned a zero or non-finite vector for text " + (firstIndex + i),
                        false, 200, null, null, attempts, null);
            }
        }
    }

    /**
     * Scales the vector to unit length in place: OpenAI's vectors already are, but other compatible
     * servers do not all normalise, and the stores compare vectors by cosine.
     */
    private static boolean normalise(float[] vector) {
        double squares = 0;
        for (float v : vector) {
            squares += (double) v * v;
        }
        double norm = Math.sqrt(squares);
        if (!(norm > 0) || Double.isInfinite(norm)) {
            return false;
        }
        for (int d = 0; d < vector.length; d++) {
            vector[d] = (float) (vector[d] / norm);
        }
        return true;
    }

    /** Full jitter: a uniformly random delay up to an exponentially growing cap, within the budget. */
    private Duration backoff(int failedAttempts, long remainingNanos) {
        double cap = Math.min(settings.maxBackoff().toNanos(),
                settings.initialBackoff().toNanos() * Math.pow(2, failedAttempts - 1));
        long nanos = (long) (ThreadLocalRandom.current().nextDouble() * cap);
        return Duration.ofNanos(Math.min(nanos, remainingNanos));
    }

    private void pause(Duration delay, int attempt) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(attempt);
        }
    }

    private EmbeddingProviderException interrupted(int attempt) {
        return new EmbeddingProviderException("Embedding with " + settings.model()
                + " was interrupted before the provider answered", true, 0, null, null, attempt, null);
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

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    private static String requireUsableKey(String apiKey) {
        Objects.requireNonNull(apiKey, "apiKey");
        if (apiKey.isEmpty() || apiKey.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            // The key itself is not named: this message may be shown or logged.
            throw new IllegalArgumentException("the provider API key must be non-empty printable ASCII without spaces");
        }
        return apiKey;
    }
}
