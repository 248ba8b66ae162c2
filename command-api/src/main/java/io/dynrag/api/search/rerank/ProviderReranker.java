package io.dynrag.api.search.rerank;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynrag.api.search.Reranker;
import io.dynrag.domain.DomainRuleViolation;
import io.dynrag.domain.search.RerankModel;
import io.dynrag.identity.accounts.ProviderKeys;
import io.dynrag.platform.outbound.AddressPolicy;
import io.dynrag.platform.outbound.GuardedHttpClient;
import io.dynrag.platform.outbound.RefusedAddressException;

import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reranks with the customer's own key for its rerank model's provider, speaking the rerank API Cohere (v2), Jina
 * and Voyage share. Requests go through the guarded client, as embedding calls with a customer's base URL do: a
 * base URL the customer gave cannot reach our own network. A rate limit (429), a server error (5xx), a timeout or
 * a failed connection is tried once more after a short wait; anything else, or a second failure, fails the
 * search with the provider's status and reason.
 */
public final class ProviderReranker implements Reranker, AutoCloseable {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    /** Before the one retry, unless the provider's Retry-After asks for longer (up to the cap). */
    static final Duration RETRY_WAIT = Duration.ofMillis(300);
    static final Duration MAX_RETRY_WAIT = Duration.ofSeconds(5);
    private static final int MAX_REASON_CHARS = 300;
    static final int CHARACTERS_PER_TOKEN = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Keys keys;
    private final GuardedHttpClient http;

    /** The customer's key for a provider, opened for the call ({@link ProviderKeys#open}). */
    @FunctionalInterface
    public interface Keys {
        Optional<ProviderKeys.OpenedKey> open(String customerId, String provider);
    }

    public ProviderReranker(Keys keys, AddressPolicy addresses) {
        this.keys = keys;
        this.http = new GuardedHttpClient(addresses, CONNECT_TIMEOUT);
    }

    @Override
    public Reranked rerank(String customerId, RerankModel model, String query, List<String> documents, int topN) {
        RerankProvider provider = RerankProvider.BY_NAME.get(model.provider());
        ProviderKeys.OpenedKey key = keys.open(customerId, provider.name()).orElseThrow(() ->
                new DomainRuleViolation("'rerank' uses your " + provider.name() + " key for " + model.id()
                        + ": store it with PUT /v1/customer/provider-key first"));
        URI endpoint = URI.create(stripSlash(key.baseUrl() == null ? provider.baseUrl().toString() : key.baseUrl())
                + "/rerank");
        ObjectNode body = JSON.createObjectNode().put("model", model.id()).put("query", query)
                .put(provider.topNField(), topN);
        documents.forEach(body.putArray("documents")::add);
        Call call = new Call(provider.name(), endpoint, key.key(), body.toString().getBytes(StandardCharsets.UTF_8));
        Answer answer = send(call);
        if (answer.retryable()) {
            pause(answer.retryAfter());
            answer = send(call);
        }
        if (answer.failure() != null) {
            throw new RerankProviderException(answer.failure());
        }
        JsonNode json = json(answer.body());
        return new Reranked(relevances(call, json, documents.size(), topN), tokens(json, query, documents));
    }

    /**
     * Jina and Voyage count the tokens they were sent ({@code usage.total_tokens}); Cohere, which prices by search,
     * does not, so they are estimated at {@value #CHARACTERS_PER_TOKEN} characters a token.
     */
    private static long tokens(JsonNode json, String query, List<String> documents) {
        JsonNode reported = json.at("/usage/total_tokens");
        if (reported.canConvertToLong() && reported.asLong() >= 0) {
            return reported.asLong();
        }
        long characters = query.length() + documents.stream().mapToLong(String::length).sum();
        return (characters + CHARACTERS_PER_TOKEN - 1) / CHARACTERS_PER_TOKEN;
    }

    private record Call(String provider, URI endpoint, String key, byte[] body) {

        /** The provider's words, never with the key in them (a provider may echo a refused one). */
        String redacted(String text) {
            return text.replace(key, "[your key]");
        }

        /** Keeps the key out of anything that prints a call. */
        @Override
        public String toString() {
            return "Call[provider=" + provider + ", endpoint=" + endpoint + "]";
        }
    }

    /** @param failure null when the provider answered 2xx */
    private record Answer(byte[] body, String failure, boolean retryable, Duration retryAfter) {
    }

    private Answer send(Call call) {
        Map<String, String> headers = Map.of("Authorization", "Bearer " + call.key(),
                "Content-Type", "application/json", "Accept", "application/json");
        try (GuardedHttpClient.Response response = http.send(GuardedHttpClient.Request.post(call.endpoint(), headers,
                call.body(), CALL_TIMEOUT))) {
            byte[] body = response.body().readAllBytes();
            int status = response.status();
            if (status / 100 == 2) {
                return new Answer(body, null, false, Duration.ZERO);
            }
            String failure = "the rerank provider " + call.provider() + " answered " + status
                    + reason(call, body).map(reason -> ": " + reason).orElse("");
            return new Answer(body, failure, status == 429 || status >= 500, retryAfter(response));
        } catch (RefusedAddressException e) {
            return new Answer(null, "your " + call.provider() + " base URL cannot be used: " + e.getMessage(), false,
                    Duration.ZERO);
        } catch (UnknownHostException e) {
            return new Answer(null, "the rerank provider " + call.provider() + " cannot be reached: unknown host "
                    + call.endpoint().getHost(), false, Duration.ZERO);
        } catch (GuardedHttpClient.ExchangeTimeoutException e) {
            return new Answer(null, "the rerank provider " + call.provider() + " did not answer within "
                    + CALL_TIMEOUT.toSeconds() + " s", true, RETRY_WAIT);
        } catch (IOException e) {
            // The cause stays out, as for embedding calls: it may name addresses of the network in between.
            return new Answer(null, "the rerank provider " + call.provider() + " cannot be reached: "
                    + GuardedHttpClient.unreachable(call.endpoint().getHost()), true, RETRY_WAIT);
        }
    }

    /** Cohere, Jina and Voyage put the reason in {@code message} or {@code detail}; anything else is shown short. */
    private static Optional<String> reason(Call call, byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        try {
            JsonNode json = JSON.readTree(text);
            for (String field : List.of("message", "detail", "error")) {
                if (json != null && json.hasNonNull(field) && json.get(field).isTextual()) {
                    text = json.get(field).asText();
                    break;
                }
            }
        } catch (JsonProcessingException e) {
            // Not JSON: the text itself, shortened.
        }
        text = call.redacted(text);
        return text.isBlank() ? Optional.empty()
                : Optional.of(text.length() > MAX_REASON_CHARS ? text.substring(0, MAX_REASON_CHARS) + "..."
                : text);
    }

    private static Duration retryAfter(GuardedHttpClient.Response response) {
        return response.header("Retry-After").flatMap(value -> {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(value.strip())));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }).map(wait -> wait.compareTo(MAX_RETRY_WAIT) > 0 ? MAX_RETRY_WAIT : wait).orElse(RETRY_WAIT);
    }

    /** The answer's JSON, or a missing node for an answer that is none. */
    private static JsonNode json(byte[] body) {
        try {
            JsonNode json = JSON.readTree(body);
            return json == null ? MissingNode.getInstance() : json;
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    /** Voyage lists the results as {@code data}, Cohere and Jina as {@code results}. */
    private static List<Relevance> relevances(Call call, JsonNode json, int documents, int topN) {
        JsonNode results = json.has("results") ? json.get("results") : json.get("data");
        if (results == null || !results.isArray()) {
            throw new RerankProviderException("the rerank provider " + call.provider()
                    + " answered without a list of results");
        }
        List<Relevance> relevances = new ArrayList<>();
        for (JsonNode result : results) {
            JsonNode index = result.get("index");
            JsonNode score = result.get("relevance_score");
            if (index == null || !index.canConvertToInt() || index.asInt() < 0 || index.asInt() >= documents
                    || score == null || !score.isNumber()) {
                throw new RerankProviderException("the rerank provider " + call.provider() + " answered a result "
                        + "without a valid index (0 to " + (documents - 1) + ") and relevance_score: " + result);
            }
            relevances.add(new Relevance(index.asInt(), score.asDouble()));
        }
        return relevances.stream().sorted(Comparator.comparingDouble(Relevance::score).reversed()).limit(topN)
                .toList();
    }

    private static void pause(Duration wait) {
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RerankProviderException("the search was interrupted while waiting to ask the rerank provider "
                    + "again");
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    public void close() {
        http.close();
    }
}
