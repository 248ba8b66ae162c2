package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A local server that answers {@code POST /rerank} the way Cohere (v2) and Jina do, or Voyage ({@link #voyage()}):
 * Bearer authentication, {@code model}, {@code query}, {@code documents} and {@code top_n} (Voyage: {@code top_k})
 * in, {@code results} (Voyage: {@code data}) of {@code index} and {@code relevance_score} out, most relevant
 * first. Its relevance is plain and easy to assert: the later a document came in the request, the more
 * relevant, {@code (index + 1) / documents}, so a reranked search answers its candidates in reverse.
 *
 * <p>The next requests can be scripted to fail ({@link #script(int...)}), after authentication. Unlike the real
 * providers, a refused key is echoed in full in the 401 message, so tests can check it is never shown back.
 */
final class FakeRerankServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String apiKey;
    private final boolean voyage;
    private final HttpServer server;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private final Queue<Integer> script = new ConcurrentLinkedQueue<>();
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();

    private FakeRerankServer(String apiKey, boolean voyage) throws IOException {
        this.apiKey = apiKey;
        this.voyage = voyage;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(handlers);
        server.start();
    }

    /** Speaks Cohere's and Jina's shape to callers presenting {@code apiKey}. */
    static FakeRerankServer start(String apiKey) throws IOException {
        return new FakeRerankServer(apiKey, false);
    }

    /** Speaks Voyage's shape: {@code top_k} in, {@code data} out. */
    static FakeRerankServer voyage(String apiKey) throws IOException {
        return new FakeRerankServer(apiKey, true);
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v2");
    }

    /** The next requests (after authentication) are answered with these error statuses, one each, in order. */
    void script(int... statuses) {
        for (int status : statuses) {
            script.add(status);
        }
    }

    /** The body of every request that reached the server, whatever its answer. */
    List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            requests.add(body);
            if (!"POST".equals(exchange.getRequestMethod()) || !exchange.getRequestURI().getPath().equals("/v2/rerank")) {
                answer(exchange, 404, JSON.createObjectNode().put("message", "no route for "
                        + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath()));
                return;
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (!("Bearer " + apiKey).equals(authorization)) {
                answer(exchange, 401, JSON.createObjectNode().put("message", "invalid api token: "
                        + (authorization == null ? "none" : authorization.substring("Bearer ".length()))));
                return;
            }
            Integer scripted = script.poll();
            if (scripted != null) {
                answer(exchange, scripted, JSON.createObjectNode().put("message", "scripted failure " + scripted));
                return;
            }
            answer(exchange, 200, ranked(body));
        }
    }

    private ObjectNode ranked(JsonNode request) {
        int documents = request.get("documents").size();
        int topN = request.path(voyage ? "top_k" : "top_n").asInt(documents);
        List<Integer> order = new ArrayList<>();
        for (int index = 0; index < documents; index++) {
            order.add(index);
        }
        order.sort(Comparator.reverseOrder());
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode results = answer.putArray(voyage ? "data" : "results");
        int tokens = request.get("query").asText().length() / 4;
        for (JsonNode document : request.get("documents")) {
            tokens += document.asText().length() / 4;
        }
        for (int index : order.subList(0, Math.min(topN, documents))) {
            results.addObject().put("index", index).put("relevance_score", (index + 1) / (double) documents);
        }
        answer.put("model", request.path("model").asText());
        answer.putObject("usage").put("total_tokens", tokens);
        return answer;
    }

    private static void answer(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}
