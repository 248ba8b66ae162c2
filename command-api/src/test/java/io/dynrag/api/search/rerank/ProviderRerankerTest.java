package io.dynrag.api.search.rerank;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dynrag.api.search.Reranker;
import io.dynrag.domain.DomainRuleViolation;
import io.dynrag.domain.search.RerankModel;
import io.dynrag.identity.accounts.ProviderKeys;
import io.dynrag.platform.outbound.AddressAllowlist;
import io.dynrag.platform.outbound.AddressPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rerank wire protocol against a local server answering as each provider would. */
class ProviderRerankerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "rk-test-0123456789abcdef";
    private static final RerankModel COHERE = RerankModel.SUPPORTED.get("rerank-v3.5");
    private static final RerankModel VOYAGE = RerankModel.SUPPORTED.get("rerank-2");
    private static final List<String> DOCUMENTS = List.of("first text", "second text", "third text");

    private record Reply(int status, String body, Map<String, String> headers) {
    }

    private record Request(String path, String authorization, JsonNode body) {
    }

    private final Queue<Reply> replies = new ConcurrentLinkedQueue<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private ProviderReranker reranker;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        reranker = reranker("http://127.0.0.1:" + server.getAddress().getPort() + "/v2/");
    }

    @AfterEach
    void stop() {
        reranker.close();
        server.stop(0);
    }

    @Test
    void cohereAndJinasShapeIsSentAndTheResultsReadMostRelevantFirst() {
        replies.add(new Reply(200, """
                {"id": "x", "results": [{"index": 0, "relevance_score": 0.2}, {"index": 2, "relevance_score": 0.9},
                 {"index": 1, "relevance_score": 0.5}], "meta": {"billed_units": {"search_units": 1}}}""", Map.of()));

        Reranker.Reranked reranked = reranker.rerank("c-1", COHERE, "which text", DOCUMENTS, 2);

        assertThat(reranked.relevances()).containsExactly(new Reranker.Relevance(2, 0.9),
                new Reranker.Relevance(1, 0.5));
        assertThat(reranked.tokens()).as("Cohere counts none: 4 characters a token")
                .isEqualTo(("which text".length() + 32 + 3) / 4);
        Request request = requests.getFirst();
        assertThat(request.path()).isEqualTo("/v2/rerank");
        assertThat(request.authorization()).isEqualTo("Bearer " + KEY);
        assertThat(request.body().get("model").asText()).isEqualTo("rerank-v3.5");
        assertThat(request.body().get("query").asText()).isEqualTo("which text");
        assertThat(request.body().get("top_n").asInt()).isEqualTo(2);
        assertThat(JSON.convertValue(request.body().get("documents"), List.class)).isEqualTo(DOCUMENTS);
    }

    @Test
    void voyagesShapeIsSpokenAndItsTokenCountTaken() {
        replies.add(new Reply(200, """
                {"object": "list", "data": [{"relevance_score": 0.7, "index": 1}], "model": "rerank-2",
                 "usage": {"total_tokens": 42}}""", Map.of()));

        Reranker.Reranked reranked = reranker.rerank("c-1", VOYAGE, "which text", DOCUMENTS, 1);

        assertThat(reranked.relevances()).containsExactly(new Reranker.Relevance(1, 0.7));
        assertThat(reranked.tokens()).isEqualTo(42);
        assertThat(requests.getFirst().body().get("top_k").asInt()).isEqualTo(1);
        assertThat(requests.getFirst().body().has("top_n")).isFalse();
    }

    @Test
    void aRateLimitOrServerErrorIsAskedOnceMore() {
        replies.add(new Reply(429, "{\"message\": \"slow down\"}", Map.of("Retry-After", "0")));
        replies.add(new Reply(200, "{\"results\": [{\"index\": 0, \"relevance_score\": 1}]}", Map.of()));
        assertThat(reranker.rerank("c-1", COHERE, "q", DOCUMENTS, 1).relevances()).hasSize(1);
        assertThat(requests).hasSize(2);

        replies.add(new Reply(500, "{\"message\": \"internal\"}", Map.of()));
        replies.add(new Reply(503, "<html>upstream unavailable</html>", Map.of()));
        assertThatThrownBy(() -> reranker.rerank("c-1", COHERE, "q", DOCUMENTS, 1))
                .isInstanceOf(RerankProviderException.class)
                .hasMessage("the rerank provider cohere answered 503: <html>upstream unavailable</html>");
        assertThat(requests).hasSize(4);
    }

    @Test
    void aRefusedKeyIsNotRetriedAndNeverRepeated() {
        replies.add(new Reply(401, "{\"message\": \"invalid api token: " + KEY + "\"}", Map.of()));
        assertThatThrownBy(() -> reranker.rerank("c-1", COHERE, "q", DOCUMENTS, 1))
                .isInstanceOf(RerankProviderException.class)
                .hasMessage("the rerank provider cohere answered 401: invalid api token: [your key]");
        assertThat(requests).hasSize(1);
    }

    @Test
    void anAnswerWithoutUsableResultsFailsTheSearch() {
        replies.add(new Reply(200, "not json", Map.of()));
        assertThatThrownBy(() -> reranker.rerank("c-1", COHERE, "q", DOCUMENTS, 1))
                .isInstanceOf(RerankProviderException.class).hasMessageContaining("without a list of results");
        replies.add(new Reply(200, "{\"results\": [{\"index\": 3, \"relevance_score\": 1}]}", Map.of()));
        assertThatThrownBy(() -> reranker.rerank("c-1", COHERE, "q", DOCUMENTS, 1))
                .isInstanceOf(RerankProviderException.class).hasMessageContaining("valid index (0 to 2)");
    }

    @Test
    void withoutTheProvidersKeyTheSearchIsRefusedNamingRerank() {
        try (ProviderReranker keyless = new ProviderReranker((customerId, provider) -> Optional.empty(),
                new AddressPolicy(AddressAllowlist.parse("127.0.0.1")))) {
            assertThatThrownBy(() -> keyless.rerank("c-1", VOYAGE, "q", DOCUMENTS, 1))
                    .isInstanceOf(DomainRuleViolation.class)
                    .hasMessage("'rerank' uses your voyage key for rerank-2: store it with "
                            + "PUT /v1/customer/provider-key first");
        }
        assertThat(requests).isEmpty();
    }

    private static ProviderReranker reranker(String baseUrl) {
        return new ProviderReranker((customerId, provider) -> Optional.of(new ProviderKeys.OpenedKey(KEY, baseUrl)),
                new AddressPolicy(AddressAllowlist.parse("127.0.0.1")));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            requests.add(new Request(exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Authorization"), JSON.readTree(body)));
            Reply reply = Optional.ofNullable(replies.poll()).orElse(new Reply(500, "no reply scripted", Map.of()));
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            reply.headers().forEach(exchange.getResponseHeaders()::set);
            exchange.sendResponseHeaders(reply.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
