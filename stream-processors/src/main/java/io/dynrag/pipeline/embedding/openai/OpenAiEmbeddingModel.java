package io.dynrag.pipeline.embedding.openai;

import io.dynrag.pipeline.embedding.EmbeddingModel;
import io.dynrag.pipeline.embedding.TokenCounter;
import io.dynrag.pipeline.embedding.openai.BatchRetries.GiveUp;
import io.dynrag.pipeline.embedding.openai.BatchRetries.Wait;
import io.dynrag.pipeline.embedding.openai.EmbeddingsCall.Attempt;
import io.dynrag.pipeline.embedding.openai.EmbeddingsCall.Delivered;
import io.dynrag.pipeline.embedding.openai.EmbeddingsCall.Failed;
import io.dynrag.pipeline.embedding.openai.EmbeddingsWire.Answer;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 *
 * <p>This class counts, batches, bills and checks the vectors; one request and what its answer means are
 * {@link EmbeddingsCall}'s, whether and when to send a batch again {@link BatchRetries}'.
 */
public final class OpenAiEmbeddingModel implements EmbeddingModel {

    private static final Logger log = LoggerFactory.getLogger(OpenAiEmbeddingModel.class);

    private final OpenAiSettings settings;
    private final EmbeddingsCall call;
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
        this.call = new EmbeddingsCall(settings, requireUsableKey(apiKey), Objects.requireNonNull(transport, "transport"));
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
        return "OpenAiEmbeddingModel[id=" + id + ", endpoint=" + call.endpoint() + ", dimensions=" + dimensions() + "]";
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
        byte[] request = EmbeddingsWire.request(settings.model(), texts, requestedDimensions);
        BatchRetries retries = new BatchRetries(settings);
        for (int attempt = 1; ; attempt++) {
            Attempt outcome = call.send(request, texts.size(), attempt);
            if (outcome instanceof Delivered delivered) {
                Answer answer = delivered.answer();
                EmbeddingUsage usage = billed(answer, localTokens, attempt);
                // Billed even if the vectors turn out unusable below.
                totalUsage.accumulateAndGet(usage, EmbeddingUsage::plus);
                requireUsable(answer.vectors(), firstIndex, attempt);
                return new BatchResult(answer.vectors(), usage);
            }
            Failed failure = (Failed) outcome;
            switch (retries.after(failure, attempt)) {
                case GiveUp giveUp -> {
                    totalUsage.accumulateAndGet(new EmbeddingUsage(0, 0, 0, attempt - 1, false), EmbeddingUsage::plus);
                    throw new EmbeddingProviderException("Embedding with " + settings.model() + " failed: "
                            + failure.description() + giveUp.reason(), failure.retryable(), failure.status(),
                            failure.providerCode(), failure.retryAfter(), attempt, failure.cause());
                }
                case Wait wait -> {
                    log.warn("Embedding request to {} for {} failed ({}{}); retry {} of {} in {} ms",
                            call.endpoint().getHost(), settings.model(), failure.description(),
                            failure.cause() == null ? "" : ": " + failure.cause(), attempt, settings.maxAttempts() - 1,
                            wait.delay().toMillis());
                    retries.pause(wait.delay(), attempt);
                }
            }
        }
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

    private static String requireUsableKey(String apiKey) {
        Objects.requireNonNull(apiKey, "apiKey");
        if (apiKey.isEmpty() || apiKey.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            // The key itself is not named: this message may be shown or logged.
            throw new IllegalArgumentException("the provider API key must be non-empty printable ASCII without spaces");
        }
        return apiKey;
    }
}
