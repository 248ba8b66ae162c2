package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Searches reordered by the customer's rerank model, called with its own key on a server speaking the providers'
 * rerank API (a stand-in: the real ones are paid external APIs). The stand-in finds later candidates more
 * relevant, so a reranked search answers the plain search's candidates in reverse.
 */
@Tag("e2e")
class RerankSearchTest {

    private static final String COHERE_KEY = "co-test-0123456789abcdef";
    private static final String QUERY = "baking bread at home";
    private static final List<String> TEXTS = List.of(
            "Bread baking at home starts with flour, water, salt and yeast kneaded into a smooth dough.",
            "A sourdough starter replaces yeast: feed it flour and water daily and bake when it doubles.",
            "Bake bread in a hot oven with steam for a crisp crust, then let the loaf cool before cutting.",
            "Home bakers proof their dough overnight in the fridge for a deeper flavour.");

    private TestSystem system;
    private ApiClient api;
    private FakeRerankServer provider;

    @BeforeEach
    void start() throws IOException {
        system = TestSystem.shared();
        api = system.api();
        provider = FakeRerankServer.start(COHERE_KEY);
    }

    @AfterEach
    void stop() {
        provider.close();
    }

    @Test
    void aRerankedSearchAnswersTheCandidatesInTheProvidersOrderWithItsScores() {
        String key = customerWithDocuments("Rerank Bakery");
        storeKey(key, "cohere", COHERE_KEY);
        configure(key, "{\"rerankModel\": \"rerank-v3.5\"}", 200);

        JsonNode candidates = system.search(key, QUERY, 6);
        assertThat(candidates).hasSize(TEXTS.size());
        assertThat(provider.requests()).as("rerank is off by default: the provider is not asked").isEmpty();
        assertThat(candidates.get(0).has("rerankScore")).isFalse();

        ApiClient.Response reranked = api.postJson("/v1/search", key,
                "{\"query\": \"" + QUERY + "\", \"topK\": 2, \"rerank\": true}");
        assertThat(reranked.status()).as(reranked.body()).isEqualTo(200);
        JsonNode hits = reranked.json().get("results");
        assertThat(hits).hasSize(2);
        for (int rank = 0; rank < 2; rank++) {
            JsonNode candidate = candidates.get(candidates.size() - 1 - rank);
            assertThat(hits.get(rank).get("text").asText()).isEqualTo(candidate.get("text").asText());
            assertThat(hits.get(rank).get("score").asDouble()).isEqualTo(candidate.get("score").asDouble());
            assertThat(hits.get(rank).get("rerankScore").asDouble())
                    .isEqualTo((candidates.size() - rank) / (double) candidates.size());
        }

        JsonNode request = provider.requests().getFirst();
        assertThat(request.get("model").asText()).isEqualTo("rerank-v3.5");
        assertThat(request.get("query").asText()).isEqualTo(QUERY);
        assertThat(request.get("top_n").asInt()).isEqualTo(2);
        List<String> sent = new ArrayList<>();
        request.get("documents").forEach(document -> sent.add(document.asText()));
        List<String> found = new ArrayList<>();
        candidates.forEach(hit -> found.add(hit.get("text").asText()));
        assertThat(sent).as("the candidates, as the search ranked them").isEqualTo(found);

        ApiClient.Response config = api.get("/v1/customer/config", key);
        assertThat(config.json().at("/configuration/rerankModel").asText()).isEqualTo("rerank-v3.5");
        assertThat(config.json().at("/rerankKey/provider").asText()).isEqualTo("cohere");
        assertThat(config.json().at("/rerankKey/fingerprint").asText()).startsWith("sha256:");
        assertThat(config.body()).doesNotContain(COHERE_KEY);
    }

    @Test
    void voyagesShapeIsSpokenToo() throws IOException {
        String key = customerWithDocuments("Rerank Voyagers");
        try (FakeRerankServer voyage = FakeRerankServer.voyage(COHERE_KEY)) {
            api.putJson("/v1/customer/provider-key", key, "{\"provider\": \"voyage\", \"apiKey\": \"" + COHERE_KEY
                    + "\", \"baseUrl\": \"" + voyage.baseUrl() + "\"}");
            configure(key, "{\"rerankModel\": \"rerank-2-lite\"}", 200);

            ApiClient.Response reranked = api.postJson("/v1/search", key,
                    "{\"query\": \"" + QUERY + "\", \"topK\": 3, \"rerank\": true}");
            assertThat(reranked.status()).as(reranked.body()).isEqualTo(200);
            assertThat(reranked.json().get("results")).hasSize(3);
            assertThat(reranked.json().get("results").get(0).get("rerankScore").asDouble()).isEqualTo(1.0);
            assertThat(voyage.requests().getFirst().get("top_k").asInt()).isEqualTo(3);
        }
    }

    @Test
    void searchesAskingForRerankWithoutAModelOrKeyAreRefusedNamingIt() {
        String key = system.registerCustomer("Rerank Nothing Configured");
        ApiClient.Response refused = api.postJson("/v1/search", key, "{\"query\": \"bread\", \"rerank\": true}");
        TestSystem.assertProblem(refused, 400);
        assertThat(refused.json().get("detail").asText()).contains("'rerank'").contains("rerankModel");

        TestSystem.assertProblem(configure(key, "{\"rerankModel\": \"rerank-v3.5\"}", 400), 400);
        assertThat(configure(key, "{\"rerankModel\": \"rerank-v3.5\"}", 400).json().get("detail").asText())
                .contains("rerankModel").contains("cohere");
        assertThat(configure(key, "{\"rerankModel\": \"best-reranker\"}", 400).json().get("detail").asText())
                .contains("rerankModel must be one of");

        storeKey(key, "cohere", COHERE_KEY);
        configure(key, "{\"rerankModel\": \"rerank-v3.5\"}", 200);
        JsonNode none = api.putJson("/v1/customer/config", key, "{\"rerankModel\": \"none\"}").json();
        assertThat(none.at("/configuration/rerankModel").isNull() || none.at("/configuration/rerankModel").isMissingNode())
                .isTrue();
        assertThat(provider.requests()).isEmpty();
    }

    @Test
    void aFailingProviderFailsTheSearchWithItsStatusAfterOneRetry() {
        String key = customerWithDocuments("Rerank Outage");
        storeKey(key, "cohere", COHERE_KEY);
        configure(key, "{\"rerankModel\": \"rerank-v3.5\"}", 200);
        String reranked = "{\"query\": \"" + QUERY + "\", \"rerank\": true}";

        provider.script(500);
        assertThat(api.postJson("/v1/search", key, reranked).status()).as("one 500 is retried").isEqualTo(200);
        assertThat(provider.requests()).hasSize(2);

        provider.script(500, 503);
        ApiClient.Response failed = api.postJson("/v1/search", key, reranked);
        TestSystem.assertProblem(failed, 502);
        assertThat(failed.json().get("detail").asText()).contains("cohere").contains("503");
        assertThat(provider.requests()).hasSize(4);

        storeKey(key, "cohere", "co-wrong-key-0123456789");
        ApiClient.Response refused = api.postJson("/v1/search", key, reranked);
        TestSystem.assertProblem(refused, 502);
        assertThat(refused.json().get("detail").asText()).contains("cohere").contains("401")
                .doesNotContain("co-wrong-key-0123456789");
        assertThat(provider.requests()).as("a refused key is not retried").hasSize(5);
    }

    @Test
    void rerankedSearchesAreMeteredAndCountAgainstTheMonthlyBudget() {
        String key = customerWithDocuments("Rerank Meter");
        storeKey(key, "cohere", COHERE_KEY);
        // rerank-v3.5 costs $2 per 1,000 searches: one search fits what is left of the budget, a second does not.
        BigDecimal indexing = api.get("/v1/budget", key).json().get("spentUsd").decimalValue();
        configure(key, "{\"rerankModel\": \"rerank-v3.5\", \"monthlyBudgetUsd\": "
                + indexing.add(new BigDecimal("0.003")).toPlainString() + "}", 200);
        String reranked = "{\"query\": \"" + QUERY + "\", \"topK\": 2, \"rerank\": true}";

        ApiClient.Response first = api.postJson("/v1/search", key, reranked);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(api.get("/v1/budget", key).json().get("spentUsd").decimalValue())
                .isEqualByComparingTo(indexing.add(new BigDecimal("0.002")));
        ApiClient.Response refused = api.postJson("/v1/search", key, reranked);
        TestSystem.assertProblem(refused, 402);
        assertThat(refused.json().get("detail").asText()).contains("rerank").contains("monthlyBudgetUsd");
        assertThat(provider.requests()).as("a refused search asks no provider").hasSize(1);
        assertThat(api.postJson("/v1/search", key, "{\"query\": \"" + QUERY + "\"}").status())
                .as("a search without rerank costs nothing").isEqualTo(200);

        JsonNode total = await().atMost(TestSystem.INDEXING_TIMEOUT).until(
                () -> api.get("/v1/usage", key).json().get("total"),
                usage -> usage.get("rerankedSearches").asLong() == 1
                        && usage.get("costUsd").decimalValue().compareTo(indexing) == 0);
        assertThat(total.get("rerankedDocuments").asLong()).isEqualTo(TEXTS.size());
        assertThat(total.get("rerankTokens").asLong()).isPositive();
        assertThat(total.get("rerankCostUsd").decimalValue()).as("apart from costUsd, the embedding cost")
                .isEqualByComparingTo(new BigDecimal("0.002"));
    }

    private String customerWithDocuments(String name) {
        String key = system.registerCustomer(name);
        List<String> documents = new ArrayList<>();
        for (String text : TEXTS) {
            documents.add(system.uploadDocument(key, "bread-" + documents.size() + ".txt", text));
        }
        documents.forEach(document -> system.awaitStatus(key, document, "INDEXED"));
        return key;
    }

    private void storeKey(String key, String providerName, String providerKey) {
        ApiClient.Response stored = api.putJson("/v1/customer/provider-key", key, "{\"provider\": \"" + providerName
                + "\", \"apiKey\": \"" + providerKey + "\", \"baseUrl\": \"" + provider.baseUrl() + "\"}");
        assertThat(stored.status()).as(stored.body()).isEqualTo(200);
        assertThat(stored.body()).doesNotContain(providerKey);
    }

    private ApiClient.Response configure(String key, String json, int status) {
        ApiClient.Response configured = api.putJson("/v1/customer/config", key, json);
        assertThat(configured.status()).as(configured.body()).isEqualTo(status);
        return configured;
    }
}
