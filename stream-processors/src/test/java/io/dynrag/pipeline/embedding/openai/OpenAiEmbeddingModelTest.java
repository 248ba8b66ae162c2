package io.dynrag.pipeline.embedding.openai;

import static io.dynrag.pipeline.embedding.openai.FakeOpenAiServer.MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import io.dynrag.pipeline.embedding.openai.FakeOpenAiServer.RecordedRequest;
import io.dynrag.pipeline.embedding.openai.FakeOpenAiServer.Reply;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiEmbeddingModelTest {

    private static final String KEY = "sk-test-5f4dcc3b5aa765d61d8327deb882cf99";
    private static final int DIMENSIONS = 16;
    private static final float TOLERANCE = 1e-6f;

    private static HttpClient http;

    private FakeOpenAiServer server;

    @BeforeAll
    static void createClient() {
        http = OpenAiEmbeddingModel.newHttpClient(OpenAiSettings.of(URI.create("http://127.0.0.1"), MODEL, DIMENSIONS)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(2)));
    }

    @AfterAll
    static void closeClient() {
        http.close();
    }

    @BeforeEach
    void startServer() throws IOException {
        server = FakeOpenAiServer.start(KEY, DIMENSIONS);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    /** Production limits, short timeouts, and backoffs of a few milliseconds so retries cost little time. */
    private OpenAiSettings settings() {
        return OpenAiSettings.of(server.baseUrl(), MODEL, DIMENSIONS)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(2))
                .withRetries(Duration.ofSeconds(20), 5, Duration.ofMillis(5), Duration.ofMillis(20));
    }

    private OpenAiEmbeddingModel model(OpenAiSettings settings) {
        return new OpenAiEmbeddingModel(settings, KEY, http);
    }

    private static void assertVectorsOf(List<float[]> vectors, List<String> texts, int dimensions) {
        assertThat(vectors).hasSize(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            assertThat(vectors.get(i)).as("vector of text %d", i)
                    .containsExactly(FakeOpenAiServer.vectorFor(texts.get(i), dimensions),
                            within(TOLERANCE));
        }
    }

    private static List<String> texts(int count) {
        return IntStream.range(0, count).mapToObj(i -> "text number " + i + " about tides").toList();
    }

    @Test
    void describesTheProvidersModel() {
        OpenAiEmbeddingModel model = model(settings());

        assertThat(model.id()).isEqualTo("text-embedding-3-small");
        assertThat(model.dimensions()).isEqualTo(DIMENSIONS);
        assertThat(model.maxInputTokens()).isEqualTo(8191);
        assertThat(model.tokenizer().count("hello world")).isEqualTo(2);
        assertThat(OpenAiSettings.of(server.baseUrl(), "text-embedding-3-large").dimensions()).isEqualTo(3072);
    }

    @Test
    void returnsTheVectorsInInputOrderWhenTheProviderListsThemOutOfOrder() {
        server.answerOutOfOrder();
        List<String> texts = List.of("the moon pulls the ocean", "tides rise twice a day", "a third, unrelated text");

        List<float[]> vectors = model(settings()).embed(texts);

        assertVectorsOf(vectors, texts, DIMENSIONS);
        assertThat(server.requests()).containsExactly(new RecordedRequest(3,
                texts.stream().mapToInt(FakeOpenAiServer::tokens).sum(), null, "float"));
    }

    @Test
    void splitsRequestsByTheNumberOfInputs() throws IOException {
        server.close();
        server = FakeOpenAiServer.start(KEY, DIMENSIONS, 3);
        List<String> texts = texts(8);

        List<float[]> vectors = model(settings().withBatchLimits(3, 300_000)).embed(texts);

        assertVectorsOf(vectors, texts, DIMENSIONS);
        assertThat(server.batchSizes()).containsExactly(3, 3, 2);
    }

    @Test
    void theFakeRefusesMoreInputsThanItsLimitAsOpenAiDoes() throws IOException {
        server.close();
        server = FakeOpenAiServer.start(KEY, DIMENSIONS, 3);

        EmbeddingProviderException failure = catchThrowableOfType(EmbeddingProviderException.class,
                () -> model(settings().withBatchLimits(4, 300_000)).embed(texts(4)));

        assertThat(failure.statusCode()).hasValue(400);
        assertThat(failure.getMessage()).contains("Maximum array length is 3");
        assertThat(failure.retryable()).isFalse();
    }

    @Test
    void splitsRequestsByTokens() {
        String tenTokens = "river river river river river river river river river river";
        assertThat(FakeOpenAiServer.tokens(tenTokens)).isEqualTo(10);
        List<String> texts = Collections.nCopies(5, tenTokens);

        List<float[]> vectors = model(settings().withMaxInputTokens(20).withBatchLimits(100, 25)).embed(texts);

        assertVectorsOf(vectors, texts, DIMENSIONS);
        assertThat(server.requests()).extracting(RecordedRequest::inputs).containsExactly(2, 2, 1);
        assertThat(server.requests()).extracting(RecordedRequest::tokens).containsExactly(20, 20, 10);
    }

    @Test
    void refusesATextOverTheTokenLimitBeforeSendingAnything() {
        String twelveTokens = "one two three four five six seven eight nine ten eleven twelve";
        assertThat(FakeOpenAiServer.tokens(twelveTokens)).isEqualTo(12);
        OpenAiEmbeddingModel model = model(settings().withMaxInputTokens(5));

        assertThatThrownBy(() -> model.embed(List.of("short", "also short", twelveTokens)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("text 2 has 12 tokens")
                .hasMessageContaining("at most 5");
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void refusesAnEmptyTextBeforeSendingAnything() {
        assertThatThrownBy(() -> model(settings()).embed(List.of("fine", "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("text 1 is empty");
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void sendsNothingForNoTexts() {
        assertThat(model(settings()).embed(List.of())).isEmpty();
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void waitsAsLongAsRetryAfterSecondsAsks() {
        server.script(Reply.rateLimitedFor("1"));
        List<String> texts = texts(2);

        long started = System.nanoTime();
        MeteredEmbeddings result = model(settings()).embedMetered(texts);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        assertVectorsOf(result.vectors(), texts, DIMENSIONS);
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(950);
        assertThat(result.usage().retries()).isEqualTo(1);
    }

    @Test
    void waitsUntilTheDateRetryAfterNames() {
        String inThreeSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(3));
        server.script(Reply.rateLimitedFor(inThreeSeconds));

        long started = System.nanoTime();
        model(settings()).embed(texts(1));
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        // The date has whole seconds, so the wait is 2 to 3 seconds less the time the answer took to arrive.
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(1_500);
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void retriesRateLimitsWithoutRetryAfterWithBackoff() {
        server.script(Reply.rateLimited(), Reply.rateLimited());
        List<String> texts = texts(3);

        assertVectorsOf(model(settings()).embed(texts), texts, DIMENSIONS);
        assertThat(server.requestCount()).isEqualTo(3);
    }

    @Test
    void retriesServerErrorsThenSucceeds() {
        server.script(Reply.serverError(500), Reply.serverError(502), Reply.serverError(503));
        List<String> texts = texts(3);

        MeteredEmbeddings result = model(settings()).embedMetered(texts);

        assertVectorsOf(result.vectors(), texts, DIMENSIONS);
        assertThat(server.requestCount()).isEqualTo(4);
        assertThat(result.usage().retries()).isEqualTo(3);
        assertThat(result.usage().requests()).isEqualTo(1);
    }

    @Test
    void retriesAConnectionDroppedInTheMiddleOfTheAnswer() {
        server.script(Reply.dropConnection());
        List<String> texts = texts(2);

        assertVectorsOf(model(settings()).embed(texts), texts, DIMENSIONS);
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void retriesAnAttemptThatTimesOut() {
        server.script(Reply.slow(Duration.ofSeconds(10)));
        List<String> texts = texts(2);
        OpenAiSettings settings = settings().withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(2));

        long started = System.nanoTime();
        List<float[]> vectors = model(settings).embed(texts);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        assertVectorsOf(vectors, texts, DIMENSIONS);
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(300);
    }

    @Test
    void givesUpAfterTheMaximumAttemptsAsRetryable() {
        server.script(Collections.nCopies(10, Reply.serverError(503)));
        OpenAiSettings settings = settings().withRetries(Duration.ofSeconds(20), 3, Duration.ofMillis(5),
                Duration.ofMillis(20));

        EmbeddingProviderException failure = catchThrowableOfType(EmbeddingProviderException.class,
                () -> model(settings).embed(texts(2)));

        assertThat(failure.retryable()).isTrue();
        assertThat(failure.statusCode()).hasValue(503);
        assertThat(failure.attempts()).isEqualTo(3);
        assertThat(failure.getMessage())
                .contains("HTTP 503 (server_error): The engine is currently overloaded")
                .contains("gave up after 3 attempts");
        assertThat(server.requestCount()).isEqualTo(3);
    }

    @Test
    void showsNoBodyThatIsNotAnOpenAiError() {
        server.script(Collections.nCopies(3, Reply.serverError(502)));
        OpenAiSettings settings = settings().withRetries(Duration.ofSeconds(20), 3, Duration.ofMillis(5),
                Duration.ofMillis(20));

        EmbeddingProviderException failure = catchThrowableOfType(EmbeddingProviderException.class,
                () -> model(settings).embed(texts(1)));

        assertThat(failure.getMessage()).contains("HTTP 502").doesNotContain("<html", "Bad Gateway");
        assertThat(failure.retryable()).isTrue();
    }

    @Test
    void givesUpAtOnceWhenRetryAfterIsBeyondTheBudget() {
        server.script(Reply.rateLimitedFor("30"));
        OpenAiSettings settings = settings().withRetries(Duration.ofSeconds(2), 5, Duration.ofMillis(5),
                Duration.ofMillis(20));

        EmbeddingProviderException failure = catchThrowableOfType(EmbeddingProviderException.class,
                () -> model(settings).embed(texts(1)));

        assertThat(failure.retryable()).isTrue();
        assertThat(failure.statusCode()).hasValue(429);
        assertThat(failure.retryAfter()).hasValue(Duration.ofSeconds(30));
        assertThat(failure.providerErrorCode()).hasValue("rate_limit_exceeded");
        assertThat(failure.getMessage()).contains("retry after 30.0 s");
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void stopsRetryingWhenTheRetryBudgetIsSpent() {
        server.script(Collections.nCopies(1_000, Reply.serverError(500)));
        OpenAiSettings settings = settings().withRetries(Duration.ofMillis(300), 1_000, Duration.ofMillis(20),
                Duration.ofMillis(50));

        EmbeddingProviderException failure = catchThrowableOfType(EmbeddingProviderException.class,
                () -> model(settings).embed(texts(1)));

        assertThat(failure.retryable()).isTrue();
        assertThat(failure.getMessage()).contains("retry budget of 0.3 s is spent");
        assertThat(failure.attempts()).isGreaterThan(1).isLessThan(1_000);
        assertThat(server.requestCount()).isEqualTo(failure.attempts());
    }

    @Test
    void anUnreachableProviderIsRetryableOnceTheAttemptsAreUsed() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        OpenAiSettings settings = OpenAiSettings.of(URI.create("http://127.0.0.1:" + closedPort), MODEL, DIMENSIONS)
                .withRetries(Duration.ofSeconds(10), 3, Duration.ofMillis(5), Duration.ofMillis(20));

        EmbeddingProviderException failure = catchThrowableOfType(EmbeddingProviderException.class,
                () -> model(settings).embed(texts(1)));

        assertThat(failure.retryable()).isTrue();
        assertThat(failure.statusCode()).isEmpty();
        assertThat(failure.attempts()).isEqualTo(3);
        // The cause stays in the log: from a customer's base URL it would tell a closed port from a filtered one.
        assertThat(failure.getMessage()).contains("the connection to the provider at 127.0.0.1:" + closedPort + " failed")
                .doesNotContain("ConnectException").doesNotContain("refused");
        assertThat(failure.getCause()).isInstanceOf(ConnectException.class);
    }

    @Test
    void aRefusedKeyIsNotRetriedAndNeverEchoed() {
        String wrongKey = "sk-wrong-0123456789abcdef0123456789abcdef";
        OpenAiEmbeddingModel model = new OpenAiEmbeddingModel(settings(), wrongKey, http);

        EmbeddingProviderException failure = catchThrowableOfType(EmbeddingProviderException.class,
                () -> model.embed(texts(1)));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure.statusCode()).hasValue(401);
        assertThat(failure.providerErrorCode()).hasValue("invalid_api_key");
        assertThat(failure.getMessage())
                .contains("HTTP 401 (invalid_api_key): Incorrect API key provided: [redacted].")
                .doesNotContain(wrongKey);
        assertThat(failure.toString()).doesNotContain(wrongKey);
        assertThat(model.toString()).doesNotContain(wrongKey).contains(MODEL);
        assertThat(model.settings().toString()).doesNotContain(wrongKey);
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void passesTheProvidersMessageOfABadRequestThrough() {
        server.script(Reply.error(400, "Invalid 'input[0]': this input is not supported.",
                "invalid_request_error", null));
        List<String> texts = List.of("a confidential sentence of the customer");

        EmbeddingProviderException failure = catchThrowableOfType(EmbeddingProviderException.class,
                () -> model(settings()).embed(texts));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure.statusCode()).hasValue(400);
        assertThat(failure.providerErrorCode()).hasValue("invalid_request_error");
        assertThat(failure.getMessage())
                .isEqualTo("Embedding with text-embedding-3-small failed: the provider answered HTTP 400"
                        + " (invalid_request_error): Invalid 'input[0]': this input is not supported.")
                .doesNotContain(texts.get(0), KEY);
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void anExhaustedQuotaIsNotRetried() {
        server.script(Reply.quotaExceeded());

        EmbeddingProviderException failure = catchThrowableOfType(EmbeddingProviderException.class,
                () -> model(settings()).embed(texts(1)));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure.statusCode()).hasValue(429);
        assertThat(failure.getMessage()).contains("You exceeded your current quota");
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void anUnknownModelIsNotRetried() {
        OpenAiSettings settings = new OpenAiSettings(server.baseUrl(), "text-embedding-4-tiny", DIMENSIONS, false,
                8191, 2048, 300_000, Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(20), 5,
                Duration.ofMillis(5), Duration.ofMillis(20));

        EmbeddingProviderException failure = catchThrowableOfType(EmbeddingProviderException.class,
                () -> model(settings).embed(texts(1)));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure.statusCode()).hasValue(404);
        assertThat(failure.providerErrorCode()).hasValue("model_not_found");
        assertThat(failure.getMessage()).contains("The model `text-embedding-4-tiny` does not exist");
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void aMalformedAnswerIsAClearPermanentError() {
        server.script(Reply.malformedBody());

        EmbeddingProviderException failure = catchThrowableOfType(EmbeddingProviderException.class,
                () -> model(settings()).embed(texts(2)));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure.getMessage())
                .startsWith("Embedding with text-embedding-3-small failed: the provider answered HTTP 200 with"
                        + " an unusable body: the answer is not valid JSON");
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void vectorsOfTheWrongLengthAreRefused() {
        server.script(Reply.vectorsOfLength(12));

        EmbeddingProviderException failure = catchThrowableOfType(EmbeddingProviderException.class,
                () -> model(settings()).embed(texts(2)));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure.getMessage())
                .contains("returned a vector of 12 dimensions for text 0, but 16 are configured for this model");
    }

    @Test
    void requestsShortenedVectorsWhenAsked() {
        OpenAiEmbeddingModel model = model(settings().withRequestedDimensions(8));
        List<String> texts = texts(3);

        List<float[]> vectors = model.embed(texts);

        assertThat(model.id()).isEqualTo("text-embedding-3-small-8");
        assertVectorsOf(vectors, texts, 8);
        assertThat(server.requests()).extracting(RecordedRequest::dimensions).containsExactly(8);
    }

    @Test
    void metersTheTokensTheProviderBilled() {
        OpenAiEmbeddingModel model = model(settings().withBatchLimits(2, 300_000));
        List<String> first = texts(3);
        List<String> second = List.of("one more text");
        int firstTokens = first.stream().mapToInt(FakeOpenAiServer::tokens).sum();
        int secondTokens = FakeOpenAiServer.tokens(second.get(0));

        MeteredEmbeddings result = model.embedMetered(first);
        model.embed(second);

        assertThat(result.usage()).isEqualTo(new EmbeddingUsage(firstTokens, firstTokens, 2, 0, false));
        assertThat(model.totalUsage()).isEqualTo(new EmbeddingUsage(firstTokens + secondTokens,
                firstTokens + secondTokens, 3, 0, false));
    }

    @Test
    void countsTokensItselfWhenTheProviderReportsNoUsage() {
        server.script(Reply.withoutUsage());
        List<String> texts = texts(2);
        OpenAiEmbeddingModel model = model(settings());
        int[] counted = model.tokenizer().countAll(texts);

        EmbeddingUsage usage = model.embedMetered(texts).usage();

        assertThat(usage.estimated()).isTrue();
        assertThat(usage.promptTokens()).isEqualTo(counted[0] + counted[1]);
    }

    @Test
    void acceptsABaseUrlThatEndsInV1() {
        OpenAiSettings settings = settings();
        OpenAiSettings withV1 = new OpenAiSettings(URI.create(server.baseUrl() + "/v1/"), settings.model(),
                settings.dimensions(), false, settings.maxInputTokens(), settings.maxBatchInputs(),
                settings.maxBatchTokens(), settings.requestTimeout(), settings.connectTimeout(),
                settings.retryBudget(), settings.maxAttempts(), settings.initialBackoff(), settings.maxBackoff());
        List<String> texts = texts(1);

        assertVectorsOf(model(withV1).embed(texts), texts, DIMENSIONS);
        assertThat(withV1.embeddingsUri()).isEqualTo(URI.create(server.baseUrl() + "/v1/embeddings"));
    }

    @Test
    void refusesUnusableKeysAndBaseUrlsWithoutRepeatingThem() {
        assertThatThrownBy(() -> new OpenAiEmbeddingModel(settings(), "sk-has a space", http))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("sk-has");
        assertThatThrownBy(() -> OpenAiSettings.of(URI.create("https://user:secret@api.example.com"), MODEL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("secret");
    }

    @Test
    void refusesToEmbedOnceClosed() {
        OpenAiEmbeddingModel model = model(settings());
        model.close();

        assertThatThrownBy(() -> model.embed(texts(1))).isInstanceOf(IllegalStateException.class);
        assertThat(server.requestCount()).isZero();
    }
}
