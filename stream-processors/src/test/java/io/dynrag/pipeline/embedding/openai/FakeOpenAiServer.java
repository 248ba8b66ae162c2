package io.dynrag.pipeline.embedding.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local server that answers {@code POST /v1/embeddings} the way OpenAI does: Bearer
 * authentication, OpenAI's input limits and error bodies, and deterministic unit vectors derived from
 * a hash of each input (see {@link #vectorFor(String, int)}).
 *
 * <p>The next requests can be scripted to fail or misbehave ({@link #script(Reply...)}); scripted
 * replies apply after authentication, as a provider's rate limiter would. Every request is counted
 * and every well-formed one recorded.
 *
 * <p>Unlike OpenAI, which masks it, a refused key is echoed in full in the 401 message, so tests can
 * check that clients keep it out of their own messages.
 */
public final class FakeOpenAiServer implements AutoCloseable {

    static final String MODEL = "text-embedding-3-small";
    static final int MAX_INPUTS_PER_REQUEST = 2048;
    static final int MAX_TOKENS_PER_INPUT = 8192;
    static final int MAX_TOKENS_PER_REQUEST = 300_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Encoding CL100K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

    private final String apiKey;
    private final int nativeDimensions;
    private final int maxInputsPerRequest;
    private final HttpServer server;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private final Queue<Reply> script = new ConcurrentLinkedQueue<>();
    private final AtomicInteger requestCount = new AtomicInteger();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private volatile boolean answerOutOfOrder;

    /** What the server saw in a request whose body had an array of string inputs. */
    record RecordedRequest(int inputs, int tokens, Integer dimensions, String encodingFormat) {
    }

    private FakeOpenAiServer(String apiKey, int nativeDimensions, int maxInputsPerRequest) throws IOException {
        this.apiKey = apiKey;
        this.nativeDimensions = nativeDimensions;
        this.maxInputsPerRequest = maxInputsPerRequest;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(handlers);
        server.start();
    }

    /** Serves {@value #MODEL} with vectors of {@code nativeDimensions} to callers presenting {@code apiKey}. */
    public static FakeOpenAiServer start(String apiKey, int nativeDimensions) throws IOException {
        return start(apiKey, nativeDimensions, MAX_INPUTS_PER_REQUEST);
    }

    public static FakeOpenAiServer start(String apiKey, int nativeDimensions, int maxInputsPerRequest)
            throws IOException {
        return new FakeOpenAiServer(apiKey, nativeDimensions, maxInputsPerRequest);
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Lists the vectors of an answer in reverse input order; each still carries its input's index. */
    void answerOutOfOrder() {
        answerOutOfOrder = true;
    }

    /** The next requests (after authentication) get these replies, one each, in order. */
    public void script(Reply... replies) {
        script.addAll(List.of(replies));
    }

    public void script(Collection<Reply> replies) {
        script.addAll(replies);
    }

    /** Every request that reached the server, whatever its answer. */
    public int requestCount() {
        return requestCount.get();
    }

    List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    List<Integer> batchSizes() {
        return requests.stream().map(RecordedRequest::inputs).toList();
    }

    /** The unit vector this server returns for a text: a hash-seeded random direction. */
    public static float[] vectorFor(String text, int dimensions) {
        SplittableRandom random = new SplittableRandom(seed(text));
        double[] values = new double[dimensions];
        double squares = 0;
        for (int d = 0; d < dimensions; d++) {
            values[d] = random.nextDouble(-1, 1);
            squares += values[d] * values[d];
        }
        double norm = Math.sqrt(squares);
        float[] vector = new float[dimensions];
        for (int d = 0; d < dimensions; d++) {
            vector[d] = (float) (values[d] / norm);
        }
        return vector;
    }

    static int tokens(String text) {
        return CL100K.countTokensOrdinary(text);
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }

    /** A scripted answer to one request. */
    public sealed interface Reply {

        /** An OpenAI-style error: {@code {"error": {"message", "type", "param", "code"}}}. */
        static Reply error(int status, String message, String type, String code) {
            return new ErrorReply(status, message, type, code, null);
        }

        static Reply rateLimited() {
            return new ErrorReply(429, "Rate limit reached for text-embedding-3-small on tokens per min (TPM).",
                    "tokens", "rate_limit_exceeded", null);
        }

        static Reply rateLimitedFor(String retryAfter) {
            return new ErrorReply(429, "Rate limit reached for text-embedding-3-small on requests per min (RPM).",
                    "requests", "rate_limit_exceeded", retryAfter);
        }

        static Reply quotaExceeded() {
            return new ErrorReply(429, "You exceeded your current quota, please check your plan and billing details.",
                    "insufficient_quota", "insufficient_quota", null);
        }

        /** 500 and 503 with OpenAI's JSON; 502 with the HTML page a gateway in front would send. */
        static Reply serverError(int status) {
            return new ServerErrorReply(status);
        }

        /** Waits this long before answering normally. */
        static Reply slow(Duration delay) {
            return new SlowReply(delay);
        }

        /** Answers normally once {@code release} is counted down: a provider busy for as long as a test needs. */
        static Reply heldUntil(CountDownLatch release) {
            return new HeldReply(release);
        }

        /** 200 with a body cut off in the middle of a vector. */
        static Reply malformedBody() {
            return new MalformedReply();
        }

        /** Announces a body and closes the connection after a few bytes of it. */
        static Reply dropConnection() {
            return new DroppedConnection();
        }

        /** A normal answer, but with vectors of this length. */
        static Reply vectorsOfLength(int dimensions) {
            return new WrongLengthReply(dimensions);
        }

        /** A normal answer without {@code usage}, as some compatible servers send. */
        static Reply withoutUsage() {
            return new NoUsageReply();
        }
    }

    private record ErrorReply(int status, String message, String type, String code, String retryAfter)
            implements Reply {
    }

    private record ServerErrorReply(int status) implements Reply {
    }

    private record SlowReply(Duration delay) implements Reply {
    }

    private record HeldReply(CountDownLatch release) implements Reply {
    }

    private record MalformedReply() implements Reply {
    }

    private record DroppedConnection() implements Reply {
    }

    private record WrongLengthReply(int dimensions) implements Reply {
    }

    private record NoUsageReply() implements Reply {
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requestCount.incrementAndGet();
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (!exchange.getRequestURI().getPath().equals("/v1/embeddings")) {
                sendError(exchange, 404, "Invalid URL (" + exchange.getRequestMethod() + " "
                        + exchange.getRequestURI().getPath() + ")", "invalid_request_error", null, null);
                return;
            }
            if (!exchange.getRequestMethod().equals("POST")) {
                sendError(exchange, 405, "Method not allowed", "invalid_request_error", null, null);
                return;
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null || !authorization.startsWith("Bearer ")) {
                sendError(exchange, 401, "You didn't provide an API key. You need to provide your API key in an"
                        + " Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                        "invalid_request_error", null, null);
                return;
            }
            String presented = authorization.substring("Bearer ".length());
            if (!presented.equals(apiKey)) {
                sendError(exchange, 401, "Incorrect API key provided: " + presented
                        + ". You can find your API key at https://platform.openai.com/account/api-keys.",
                        "invalid_request_error", "invalid_api_key", null);
                return;
            }
            JsonNode request;
            try {
                request = JSON.readTree(body);
            } catch (IOException e) {
                sendError(exchange, 400, "We could not parse the JSON body of your request.",
                        "invalid_request_error", null, null);
                return;
            }
            List<String> inputs = stringInputs(request);
            Integer dimensions = request.hasNonNull("dimensions") ? request.get("dimensions").asInt() : null;
            if (inputs != null) {
                int tokens = inputs.stream().mapToInt(FakeOpenAiServer::tokens).sum();
                requests.add(new RecordedRequest(inputs.size(), tokens, dimensions,
                        request.path("encoding_format").asText(null)));
            }
            Reply reply = script.poll();
            switch (reply) {
                case ErrorReply error -> {
                    sendError(exchange, error.status(), error.message(), error.type(), error.code(), error.retryAfter());
                    return;
                }
                case ServerErrorReply error -> {
                    sendServerError(exchange, error.status());
                    return;
                }
                case MalformedReply ignored -> {
                    String cut = "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,";
                    send(exchange, 200, cut.getBytes(StandardCharsets.UTF_8), "application/json");
                    return;
                }
                case DroppedConnection ignored -> {
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, 10_000);
                    OutputStream out = exchange.getResponseBody();
                    out.write("{\"object\":".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    // Closing a fixed-length body before its end makes the server drop the connection.
                    return;
                }
                case HeldReply held -> {
                    try {
                        held.release().await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                case SlowReply slow -> {
                    try {
                        Thread.sleep(slow.delay());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                case null, default -> {
                }
            }
            answer(exchange, request, inputs, dimensions, reply);
        } catch (IOException e) {
            // The client went away (a cancelled request) or the connection was dropped on purpose.
        }
    }

    private void answer(HttpExchange exchange, JsonNode request, List<String> inputs, Integer dimensions, Reply reply)
            throws IOException {
        String model = request.path("model").asText("");
        if (!model.equals(MODEL)) {
            sendError(exchange, 404, "The model `" + model + "` does not exist or you do not have access to it.",
                    "invalid_request_error", "model_not_found", null);
            return;
        }
        if (inputs == null || inputs.isEmpty()) {
            sendError(exchange, 400, "'$.input' is invalid. Please check the API reference:"
                    + " https://platform.openai.com/docs/api-reference.", "invalid_request_error", null, null);
            return;
        }
        if (inputs.size() > maxInputsPerRequest) {
            sendError(exchange, 400, "'$.input' is too long. Maximum array length is " + maxInputsPerRequest
                    + ", but got an array with length " + inputs.size() + ".", "invalid_request_error", null, null);
            return;
        }
        int total = 0;
        for (String input : inputs) {
            int tokens = tokens(input);
            if (input.isEmpty() || tokens > MAX_TOKENS_PER_INPUT) {
                sendError(exchange, 400, input.isEmpty()
                        ? "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."
                        : "This model's maximum context length is " + MAX_TOKENS_PER_INPUT + " tokens, however you"
                                + " requested " + tokens + " tokens. Please reduce your prompt.",
                        "invalid_request_error", null, null);
                return;
            }
            total += tokens;
        }
        if (total > MAX_TOKENS_PER_REQUEST) {
            sendError(exchange, 400, "Requested " + total + " tokens, max " + MAX_TOKENS_PER_REQUEST
                    + " tokens per request", "max_tokens_per_request", null, null);
            return;
        }
        String format = request.path("encoding_format").asText("float");
        if (!format.equals("float")) {
            sendError(exchange, 400, "This server only answers encoding_format 'float'.", "invalid_request_error",
                    null, null);
            return;
        }
        if (dimensions != null && (dimensions < 1 || dimensions > nativeDimensions)) {
            sendError(exchange, 400, "Invalid value for 'dimensions' = " + dimensions + ". Must be between 1 and "
                    + nativeDimensions + ".", "invalid_request_error", null, null);
            return;
        }
        int length = reply instanceof WrongLengthReply wrong ? wrong.dimensions()
                : dimensions != null ? dimensions : nativeDimensions;
        send(exchange, 200, embeddings(inputs, length, total, !(reply instanceof NoUsageReply)), "application/json");
    }

    private byte[] embeddings(List<String> inputs, int dimensions, int tokens, boolean withUsage) throws IOException {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            order.add(answerOutOfOrder ? inputs.size() - 1 - i : i);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("object", "list");
            json.writeArrayFieldStart("data");
            for (int index : order) {
                json.writeStartObject();
                json.writeStringField("object", "embedding");
                json.writeNumberField("index", index);
                json.writeArrayFieldStart("embedding");
                for (float value : vectorFor(inputs.get(index), dimensions)) {
                    json.writeNumber(value);
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeStringField("model", MODEL);
            if (withUsage) {
                json.writeObjectFieldStart("usage");
                json.writeNumberField("prompt_tokens", tokens);
                json.writeNumberField("total_tokens", tokens);
                json.writeEndObject();
            }
            json.writeEndObject();
        }
        return out.toByteArray();
    }

    private static List<String> stringInputs(JsonNode request) {
        JsonNode input = request.path("input");
        if (!input.isArray()) {
            return null;
        }
        List<String> inputs = new ArrayList<>();
        for (JsonNode item : input) {
            if (!item.isTextual()) {
                return null;
            }
            inputs.add(item.asText());
        }
        return inputs;
    }

    private static void sendServerError(HttpExchange exchange, int status) throws IOException {
        if (status == 502) {
            send(exchange, status, "<html><body><h1>502 Bad Gateway</h1></body></html>".getBytes(StandardCharsets.UTF_8),
                    "text/html");
            return;
        }
        sendError(exchange, status, status == 503
                ? "The engine is currently overloaded, please try again later."
                : "The server had an error while processing your request. Sorry about that!",
                "server_error", null, null);
    }

    private static void sendError(HttpExchange exchange, int status, String message, String type, String code,
            String retryAfter) throws IOException {
        if (retryAfter != null) {
            exchange.getResponseHeaders().set("Retry-After", retryAfter);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeObjectFieldStart("error");
            json.writeStringField("message", message);
            json.writeStringField("type", type);
            json.writeNullField("param");
            json.writeStringField("code", code);
            json.writeEndObject();
            json.writeEndObject();
        }
        send(exchange, status, out.toByteArray(), "application/json");
    }

    private static void send(HttpExchange exchange, int status, byte[] body, String contentType) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static long seed(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            long seed = 0;
            for (int i = 0; i < Long.BYTES; i++) {
                seed = (seed << 8) | (hash[i] & 0xff);
            }
            return seed;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
