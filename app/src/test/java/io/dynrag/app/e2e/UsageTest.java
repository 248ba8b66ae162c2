package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.schemas.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Usage metering and the metrics views, driven over HTTP against the whole system. */
@Tag("e2e")
class UsageTest {

    private TestSystem system;
    private ApiClient api;

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
        api = system.api();
    }

    @Test
    void usageCountsDocumentsTokensCostSearchesAndCallsPerCustomerAndDay() {
        String key = system.registerCustomer("Metered Ltd");
        String bystander = system.registerCustomer("Bystander Ltd");

        String lighthouse = uploaded(key, "lighthouse.md", Corpus.lighthouseGuide());
        String notes = uploaded(key, "notes.txt", "Sourdough needs a lively starter, flour, water and salt.");
        ApiClient.Response scan = api.upload(key, "file", "scan.pdf", Corpus.pdfWithoutText(), null);
        assertThat(scan.status()).as(scan.body()).isEqualTo(202);
        JsonNode first = system.awaitStatus(key, lighthouse, "INDEXED");
        JsonNode second = system.awaitStatus(key, notes, "INDEXED");
        system.awaitStatus(key, scan.json().get("documentId").asText(), "FAILED");
        assertThat(api.delete("/v1/documents/" + notes, key).status()).isEqualTo(202);
        for (String query : List.of("fog signal", "lamp wicks", "tides")) {
            assertThat(system.search(key, query, 3)).isNotNull();
        }
        TestSystem.assertProblem(api.postJson("/v1/search", key, "{\"query\": \"\"}"), 400);

        long embeddedTokens = first.get("embeddedTokens").asLong() + second.get("embeddedTokens").asLong();
        BigDecimal cost = first.get("costUsd").decimalValue().add(second.get("costUsd").decimalValue());
        JsonNode usage = await().atMost(TestSystem.INDEXING_TIMEOUT).until(
                () -> api.get("/v1/usage?" + range(), key).json(),
                body -> body.get("total").get("searchQueries").asLong() == 3
                        && body.get("total").get("documentsDeleted").asLong() == 1
                        // 3 uploads, 3 status polls at least, 1 delete and 4 searches (one refused)
                        && body.get("total").get("apiCalls").asLong() >= 11);
        JsonNode total = usage.get("total");
        assertThat(total.get("documentsUploaded").asLong()).isEqualTo(3);
        assertThat(total.get("documentsIndexed").asLong()).isEqualTo(2);
        assertThat(total.get("documentsFailed").asLong()).isEqualTo(1);
        assertThat(total.get("embeddedTokens").asLong()).isEqualTo(embeddedTokens).isPositive();
        assertThat(total.get("chunks").asLong())
                .isEqualTo(first.get("chunks").asLong() + second.get("chunks").asLong());
        assertThat(total.get("costUsd").decimalValue()).isEqualByComparingTo(cost);
        assertThat(total.get("bytes").asLong()).isGreaterThan(Corpus.lighthouseGuide().length());
        assertThat(usage.get("periods")).hasSize(1);
        assertThat(usage.get("periods").get(0).get("start").asText()).isEqualTo(today().toString());

        JsonNode bystanderUsage = api.get("/v1/usage?" + range(), bystander).json().get("total");
        assertThat(bystanderUsage.get("documentsUploaded").asLong()).isZero();
        assertThat(bystanderUsage.get("searchQueries").asLong()).isZero();

        JsonNode monthly = api.get("/v1/usage?granularity=month&" + range(), key).json();
        assertThat(monthly.get("granularity").asText()).isEqualTo("month");
        assertThat(monthly.get("periods").get(0).get("start").asText()).isEqualTo(today().withDayOfMonth(1)
                .toString());
    }

    @Test
    void everyAuthenticatedCallIsCountedExactlyOnceAndOnlyAnsweredSearchesAreQueries() {
        String[] customer = system.registerCustomerWithId("Exactly Counted Ltd");
        String key = customer[1];
        system.search(key, "anything at all", 3);
        system.search(key, "something else", 3);
        TestSystem.assertProblem(api.postJson("/v1/search", key, "{\"query\": \"\", \"topK\": 3}"), 400);
        TestSystem.assertProblem(api.get("/v1/documents/doc_unknown", key), 404);
        TestSystem.assertProblem(api.get("/v1/documents/doc_unknown", "drk_not_a_key"), 401);

        // Read through the operator's report: the customer's own report would count as a call.
        String admin = system.adminAccessToken();
        await().atMost(TestSystem.INDEXING_TIMEOUT).during(Duration.ofSeconds(2)).until(
                () -> usageOf(admin, customer[0]),
                usage -> usage != null && usage.get("apiCalls").asLong() == 4
                        && usage.get("searchQueries").asLong() == 2);
    }

    private JsonNode usageOf(String adminToken, String customerId) {
        JsonNode rows = api.get("/v1/admin/usage?limit=1000&" + range(), adminToken).json().get("topConsumers");
        return StreamSupport.stream(rows.spliterator(), false)
                .filter(row -> row.get("customerId").asText().equals(customerId))
                .map(row -> row.get("usage"))
                .findFirst().orElse(null);
    }

    @Test
    void redeliveredEventsAreCountedOnce() {
        String[] customer = system.registerCustomerWithId("Redelivered Ltd");
        String key = customer[1];
        JsonNode first = system.awaitStatus(key, uploaded(key, "lighthouse.md", Corpus.lighthouseGuide()), "INDEXED");
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(
                () -> api.get("/v1/usage?" + range(), key).json().get("total").get("documentsIndexed").asLong() == 1);

        // At-least-once delivery: every document event of the customer arrives a second time.
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, system.infra().kafkaBootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            system.topicRecords(Topics.DOCUMENT_EVENTS.name()).stream()
                    .filter(record -> customer[0].equals(record.key()))
                    .forEach(record -> producer.send(new ProducerRecord<>(record.topic(), null, record.key(),
                            record.value(), record.headers())));
        }
        // The same key keeps the same partition, so once the next upload is counted the copies were read.
        JsonNode second = system.awaitStatus(key, uploaded(key, "note.txt", "Tea is best brewed below boiling."),
                "INDEXED");
        JsonNode total = await().atMost(TestSystem.INDEXING_TIMEOUT).until(
                () -> api.get("/v1/usage?" + range(), key).json().get("total"),
                usage -> usage.get("documentsIndexed").asLong() >= 2);
        assertThat(total.get("documentsIndexed").asLong()).isEqualTo(2);
        assertThat(total.get("documentsUploaded").asLong()).isEqualTo(2);
        assertThat(total.get("embeddedTokens").asLong())
                .isEqualTo(first.get("embeddedTokens").asLong() + second.get("embeddedTokens").asLong());
        assertThat(api.get("/v1/usage/documents", key).json().get("documents"))
                .allSatisfy(row -> assertThat(row.get("indexedVersions").asInt()).isEqualTo(1));
    }

    @Test
    void perDocumentUsageAndTheMetricsViewsAgreeWithTheDocuments() {
        String key = system.registerCustomer("Per Document Ltd");
        String documentId = uploaded(key, "lighthouse.md", Corpus.lighthouseGuide());
        JsonNode indexed = system.awaitStatus(key, documentId, "INDEXED");

        JsonNode documents = await().atMost(TestSystem.INDEXING_TIMEOUT).until(
                () -> api.get("/v1/usage/documents", key).json().get("documents"),
                rows -> rows.size() == 1 && rows.get(0).get("indexedVersions").asInt() == 1);
        JsonNode row = documents.get(0);
        assertThat(row.get("documentId").asText()).isEqualTo(documentId);
        assertThat(row.get("title").asText()).isEqualTo("lighthouse.md");
        assertThat(row.get("embeddedTokens").asLong()).isEqualTo(indexed.get("embeddedTokens").asLong());
        assertThat(row.get("chunks").asLong()).isEqualTo(indexed.get("chunks").asLong());
        assertThat(row.get("costUsd").decimalValue()).isEqualByComparingTo(indexed.get("costUsd").decimalValue());
        assertThat(api.get("/v1/metrics/tokens-per-document", key).json().get("documents")).isEqualTo(documents);

        JsonNode overview = api.get("/v1/metrics/overview", key).json();
        assertThat(overview.get("month").asText()).isEqualTo(today().toString().substring(0, 7));
        assertThat(overview.get("documentsByStatus").get("INDEXED").asLong()).isEqualTo(1);
        assertThat(overview.get("embeddedTokens").asLong()).isEqualTo(indexed.get("embeddedTokens").asLong());

        JsonNode cost = api.get("/v1/metrics/cost?" + range(), key).json();
        assertThat(cost.get("days")).hasSize(1);
        assertThat(cost.get("days").get(0).get("day").asText()).isEqualTo(today().toString());
        assertThat(cost.get("days").get(0).get("costUsd").decimalValue())
                .isEqualByComparingTo(indexed.get("costUsd").decimalValue());
    }

    @Test
    void usageIsAvailableAsCsvForSpreadsheetsAndBilling() {
        String key = system.registerCustomer("Spreadsheet Ltd");
        system.awaitStatus(key, uploaded(key, "notes.txt", "Sourdough needs a starter."), "INDEXED");
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(
                () -> api.get("/v1/usage?" + range(), key).json().get("total").get("documentsIndexed").asLong() == 1);

        ApiClient.Response csv = api.send("GET", "/v1/usage?" + range(),
                Map.of("X-API-Key", key, "Accept", "text/csv"), null);
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.contentType()).startsWith("text/csv");
        String[] lines = csv.body().strip().split("\r?\n");
        assertThat(lines).hasSize(2);
        List<String> header = List.of(lines[0].split(","));
        List<String> values = List.of(lines[1].split(","));
        assertThat(header).startsWith("period_start", "documents_uploaded");
        assertThat(values.get(header.indexOf("period_start"))).isEqualTo(today().toString());
        assertThat(values.get(header.indexOf("documents_indexed"))).isEqualTo("1");
    }

    @Test
    void operatorsSeeTheTopConsumersAndCustomersCannot() {
        String key = system.registerCustomer("Heavy User Ltd");
        system.awaitStatus(key, uploaded(key, "lighthouse.md", Corpus.lighthouseGuide()), "INDEXED");
        String admin = system.adminAccessToken();

        JsonNode consumers = await().atMost(TestSystem.INDEXING_TIMEOUT).until(
                () -> api.get("/v1/admin/usage?limit=1000&" + range(), admin).json().get("topConsumers"),
                rows -> StreamSupport.stream(rows.spliterator(), false)
                        .anyMatch(row -> row.get("usage").get("documentsIndexed").asLong() == 1
                                && row.get("usage").get("documentsUploaded").asLong() == 1));
        List<JsonNode> rows = StreamSupport.stream(consumers.spliterator(), false).toList();
        assertThat(rows).as("the biggest spenders (embedding and reranking) first, then the biggest embedders")
                .isSortedAccordingTo(Comparator.<JsonNode, BigDecimal>comparing(row -> row.get("usage").get("costUsd")
                                .decimalValue().add(row.get("usage").get("rerankCostUsd").decimalValue()))
                        .thenComparingLong(row -> row.get("usage").get("embeddedTokens").asLong())
                        .reversed());
        TestSystem.assertProblem(api.get("/v1/admin/usage", key), 403);
    }

    @Test
    void badReportRequestsAreRefusedClearly() {
        String key = system.registerCustomer("Careless Ltd");
        ApiClient careless = api.outsideContract();
        TestSystem.assertProblem(careless.get("/v1/usage?from=yesterday", key), 400);
        TestSystem.assertProblem(careless.get("/v1/usage?from=2026-02-01&to=2026-01-01", key), 400);
        TestSystem.assertProblem(careless.get("/v1/usage?from=2020-01-01&to=2026-01-01", key), 400);
        TestSystem.assertProblem(careless.get("/v1/usage?granularity=week", key), 400);
        TestSystem.assertProblem(careless.get("/v1/usage/documents?limit=0", key), 400);
        TestSystem.assertProblem(careless.get("/v1/usage/documents?limit=many", key), 400);
        TestSystem.assertProblem(api.get("/v1/usage", null), 401);
        assertThat(api.get("/v1/usage?from=2026-01-01&to=2026-01-31", key).json().get("periods")).isEmpty();
    }

    private String uploaded(String key, String filename, String text) {
        ApiClient.Response response = api.upload(key, "file", filename, text.getBytes(StandardCharsets.UTF_8), null);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("documentId").asText();
    }

    /** Yesterday and today, so a run across midnight (UTC) still sees its own usage. */
    private static String range() {
        return "from=" + today().minusDays(1) + "&to=" + today();
    }

    private static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }
}
