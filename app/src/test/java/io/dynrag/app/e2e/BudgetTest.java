package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.pipeline.embedding.openai.FakeOpenAiServer;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.customer.BudgetThresholdReached;
import io.dynrag.schemas.customer.CustomerEvent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.dynrag.app.e2e.TestSystem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The monthly embedding budget, driven over HTTP. The test system prices its models high enough
 * that a short document costs cents, which is what a budget can be tested with.
 */
@Tag("e2e")
class BudgetTest {

    private TestSystem system;
    private ApiClient api;

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
        api = system.api();
    }

    @Test
    void anUploadTheBudgetCannotCoverIsRefusedAndChangesNothing() {
        String[] customer = system.registerCustomerWithId("Frugal Ltd");
        String key = customer[1];
        configure(key, "{\"monthlyBudgetUsd\": 0.01}");

        ApiClient.Response refused = upload(key, "lighthouse.md", Corpus.lighthouseGuide());
        assertProblem(refused, 402);
        assertThat(refused.json().get("detail").asText()).contains("monthly embedding budget of $0.01");
        JsonNode budget = api.get("/v1/budget", key).json();
        assertThat(budget.get("spentUsd").decimalValue()).isZero();
        assertThat(budget.get("reservedUsd").decimalValue()).isZero();
        assertThat(budget.get("remainingUsd").decimalValue()).isEqualByComparingTo("0.01");
        assertThat(system.objectKeys(customer[0] + "/")).as("the refused bytes are not kept").isEmpty();
        assertThat(documentCount(customer[0])).isZero();

        configure(key, "{\"monthlyBudgetUsd\": 1000}");
        ApiClient.Response accepted = upload(key, "lighthouse.md", Corpus.lighthouseGuide());
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        JsonNode indexed = system.awaitStatus(key, accepted.json().get("documentId").asText(), "INDEXED");
        BigDecimal cost = indexed.get("costUsd").decimalValue();
        assertThat(cost).isPositive();
        JsonNode afterIndexing = await().atMost(TestSystem.INDEXING_TIMEOUT).until(
                () -> api.get("/v1/budget", key).json(),
                view -> view.get("reservedUsd").decimalValue().signum() == 0);
        assertThat(afterIndexing.get("spentUsd").decimalValue()).isEqualByComparingTo(cost);
        assertThat(afterIndexing.get("month").asText()).isEqualTo(thisMonth());

        // Room for a few cents more: a short note fits, another guide does not.
        configure(key, "{\"monthlyBudgetUsd\": " + cost.add(new BigDecimal("0.05")).toPlainString() + "}");
        assertProblem(upload(key, "again.md", Corpus.lighthouseGuide()), 402);
        assertThat(upload(key, "note.txt", "Tea is best brewed below boiling.").status()).isEqualTo(202);

        configure(key, "{\"monthlyBudgetUsd\": 0}");
        assertThat(api.get("/v1/budget", key).json().get("monthlyBudgetUsd").isNull()).as("0 removes it").isTrue();
        assertThat(upload(key, "again.md", Corpus.lighthouseGuide()).status()).isEqualTo(202);
    }

    @Test
    void concurrentUploadsCannotTogetherOvershootTheBudget() throws Exception {
        String[] customer = system.registerCustomerWithId("Bursty Ltd");
        String key = customer[1];
        try (FakeOpenAiServer openAi = FakeOpenAiServer.start("sk-budget-test-0123456789", 1536)) {
            // A slow provider keeps every version pending, so only the estimates count against the budget.
            openAi.script(Collections.nCopies(3, FakeOpenAiServer.Reply.slow(Duration.ofSeconds(3))));
            assertThat(api.putJson("/v1/customer/provider-key", key, "{\"provider\": \"openai\", \"apiKey\": "
                    + "\"sk-budget-test-0123456789\", \"baseUrl\": \"" + openAi.baseUrl() + "\"}").status())
                    .isEqualTo(200);
            String text = "x".repeat(2_999) + "\n";
            // 3,000 bytes are estimated at 1,000 tokens, which cost TestSystem's price for the model.
            BigDecimal estimate = TestSystem.PROVIDER_MODEL_USD_PER_MILLION_TOKENS.movePointLeft(3);
            configure(key, "{\"embeddingModel\": \"text-embedding-3-small\", \"monthlyBudgetUsd\": "
                    + estimate.multiply(new BigDecimal("3.5")).toPlainString() + "}");

            CountDownLatch start = new CountDownLatch(1);
            List<Future<ApiClient.Response>> responses = new ArrayList<>();
            try (ExecutorService clients = Executors.newFixedThreadPool(10)) {
                for (int i = 0; i < 10; i++) {
                    String name = "burst-" + i + ".txt";
                    responses.add(clients.submit(() -> {
                        start.await();
                        return upload(key, name, text);
                    }));
                }
                start.countDown();
            }
            List<ApiClient.Response> answered = new ArrayList<>();
            for (Future<ApiClient.Response> response : responses) {
                answered.add(response.get());
            }
            List<ApiClient.Response> accepted = answered.stream().filter(r -> r.status() == 202).toList();
            assertThat(accepted).hasSize(3);
            assertThat(answered).filteredOn(r -> r.status() == 402).hasSize(7);
            JsonNode budget = api.get("/v1/budget", key).json();
            assertThat(budget.get("reservedUsd").decimalValue()).isEqualByComparingTo(estimate.multiply(
                    BigDecimal.valueOf(3)));
            assertThat(documentCount(customer[0])).isEqualTo(3);

            for (ApiClient.Response response : accepted) {
                system.awaitStatus(key, response.json().get("documentId").asText(), "INDEXED");
            }
            JsonNode settled = await().atMost(TestSystem.INDEXING_TIMEOUT).until(
                    () -> api.get("/v1/budget", key).json(),
                    view -> view.get("reservedUsd").decimalValue().signum() == 0);
            assertThat(settled.get("spentUsd").decimalValue()).as("the real cost replaced the estimates")
                    .isPositive().isLessThan(estimate.multiply(BigDecimal.valueOf(3)));
        }
    }

    @Test
    void crossingTheAlertShareRecordsBudgetThresholdReachedOnceAMonth() {
        String[] customer = system.registerCustomerWithId("Watchful Ltd");
        String key = customer[1];
        configure(key, "{\"monthlyBudgetUsd\": 1000, \"budgetAlertPercent\": 50}");
        JsonNode first = system.awaitStatus(key, upload(key, "lighthouse.md", Corpus.lighthouseGuide())
                .json().get("documentId").asText(), "INDEXED");
        BigDecimal spent = first.get("costUsd").decimalValue();
        assertThat(api.get("/v1/budget", key).json().get("alerted").asBoolean()).isFalse();

        // Spending is now above half of the budget; the next indexed version notices.
        configure(key, "{\"monthlyBudgetUsd\": " + spent.multiply(new BigDecimal("1.5")).toPlainString() + "}");
        for (String note : List.of("Tea is best brewed below boiling.", "Coffee beans are roasted seeds.")) {
            system.awaitStatus(key, upload(key, "note.txt", note).json().get("documentId").asText(), "INDEXED");
        }
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(
                () -> api.get("/v1/budget", key).json().get("alerted").asBoolean());
        List<BudgetThresholdReached> alerts = await().atMost(TestSystem.INDEXING_TIMEOUT).until(
                () -> alerts(customer[0]), found -> !found.isEmpty());
        assertThat(alerts).hasSize(1);
        BudgetThresholdReached alert = alerts.getFirst();
        assertThat(alert.getMonth()).isEqualTo(thisMonth());
        assertThat(alert.getThresholdPercent()).isEqualTo(50);
        assertThat(alert.getSpentMicroUsd()).isGreaterThanOrEqualTo(spent.movePointRight(6).longValueExact());
        assertThat(alert.getBudgetMicroUsd()).isEqualTo(spent.multiply(new BigDecimal("1.5")).movePointRight(6)
                .longValue());
    }

    @Test
    void budgetSettingsAreValidated() {
        String key = system.registerCustomer("Sloppy Ltd");
        assertProblem(api.putJson("/v1/customer/config", key, "{\"monthlyBudgetUsd\": -1}"), 400);
        assertProblem(api.putJson("/v1/customer/config", key, "{\"monthlyBudgetUsd\": 0.0000001}"), 400);
        assertProblem(api.putJson("/v1/customer/config", key, "{\"budgetAlertPercent\": 0}"), 400);
        assertProblem(api.putJson("/v1/customer/config", key, "{\"budgetAlertPercent\": 101}"), 400);
        JsonNode budget = api.get("/v1/budget", key).json();
        assertThat(budget.get("monthlyBudgetUsd").isNull()).isTrue();
        assertThat(budget.get("remainingUsd").isNull()).isTrue();
        assertThat(budget.get("alertPercent").asInt()).isEqualTo(80);
        assertProblem(api.get("/v1/budget", null), 401);
    }

    private List<BudgetThresholdReached> alerts(String customerId) {
        return system.topicRecords(Topics.CUSTOMER_EVENTS.name()).stream()
                .filter(record -> customerId.equals(record.key()))
                .map(record -> (CustomerEvent) Topics.CUSTOMER_EVENTS.valueSerde().deserializer()
                        .deserialize(record.topic(), record.value()))
                .filter(event -> event.getPayload() instanceof BudgetThresholdReached)
                .map(event -> (BudgetThresholdReached) event.getPayload())
                .toList();
    }

    private int documentCount(String customerId) {
        return api.get("/v1/admin/customers/" + customerId, system.adminAccessToken()).json()
                .get("documentCount").asInt();
    }

    private void configure(String key, String json) {
        ApiClient.Response response = api.putJson("/v1/customer/config", key, json);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    private ApiClient.Response upload(String key, String filename, String text) {
        return api.upload(key, "file", filename, text.getBytes(StandardCharsets.UTF_8), null);
    }

    private static String thisMonth() {
        return YearMonth.now(ZoneOffset.UTC).toString();
    }
}
