package io.dynrag.app.e2e;

import io.dynrag.embedded.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every role, each a process of its own, serves metrics and health on its management port, and its own series
 * move when a document is uploaded, indexed and searched for.
 */
@Tag("e2e")
class MetricsTest {

    private static final Duration PATIENCE = Duration.ofMinutes(3);

    private ProcessSystem system;
    private ApiClient api;
    private ApiClient apiManagement;
    private ApiClient pipelineManagement;
    private ApiClient projectionsManagement;

    @BeforeEach
    void startEachRoleInAProcessOfItsOwn() throws IOException {
        system = new ProcessSystem(1);
        int httpPort = FreePorts.pick();
        api = new ApiClient(httpPort);
        apiManagement = start("api", httpPort);
        pipelineManagement = start("pipeline", 0);
        projectionsManagement = start("projections", 0);
    }

    private ApiClient start(String role, int httpPort) {
        int port = FreePorts.pick();
        ProcessSystem.RoleProcess process = system.startProcess(role, role, Map.of(
                "DYNRAG_HTTP_PORT", Integer.toString(httpPort), "DYNRAG_MANAGEMENT_PORT", Integer.toString(port)));
        ApiClient management = ApiClient.managementPort(port);
        await().atMost(PATIENCE).ignoreExceptions().alias("the " + role + " process is ready (log " + process.log() + ")")
                .until(() -> management.get("/health/ready", null).status() == 200);
        return management;
    }

    @AfterEach
    void stopEverything() {
        if (system != null) {
            system.close();
        }
    }

    @Test
    void eachRolesSeriesMoveAfterAnUpload() {
        for (ApiClient management : new ApiClient[] {apiManagement, pipelineManagement, projectionsManagement}) {
            assertThat(management.get("/health/live", null).status()).isEqualTo(200);
            ApiClient.Response ready = management.get("/health/ready", null);
            assertThat(ready.json().get("status").asText()).as(ready.body()).isEqualTo("UP");
            assertThat(ready.json().get("checks").get("database").asText()).as(ready.body()).isEqualTo("UP");
            String metrics = scrape(management);
            assertThat(metrics).contains("jvm_memory_used_bytes", "hikaricp_connections{");
        }
        assertThat(apiManagement.get("/health/ready", null).json().get("checks").get("http").asText()).isEqualTo("UP");
        assertThat(pipelineManagement.get("/health/ready", null).json().get("checks").get("pipeline").asText())
                .isEqualTo("UP");
        assertThat(scrape(pipelineManagement)).contains("kafka_stream_");

        String apiBefore = scrape(apiManagement);
        String pipelineBefore = scrape(pipelineManagement);
        String projectionsBefore = scrape(projectionsManagement);

        String key = ProcessSystem.registerCustomer(api, "Metrics Ltd")[1];
        ApiClient.Response uploaded = api.upload(key, "file", "lighthouse.txt",
                "The lighthouse keeper logs every passing ship in a leather-bound book.".getBytes(StandardCharsets.UTF_8),
                null);
        assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(202);
        String documentId = uploaded.json().get("documentId").asText();
        await().atMost(PATIENCE).alias("the document is indexed")
                .until(() -> api.get("/v1/documents/" + documentId, key).json().get("status").asText(),
                        "INDEXED"::equals);
        ApiClient.Response searched = api.postJson("/v1/search", key, "{\"query\": \"lighthouse keeper\"}");
        assertThat(searched.status()).as(searched.body()).isEqualTo(200);

        await().atMost(PATIENCE).alias("the API's series moved").untilAsserted(() -> {
            String after = scrape(apiManagement);
            assertMoved(apiBefore, after, "dynrag_uploads_seconds_count", "outcome=\"success\"");
            assertMoved(apiBefore, after, "dynrag_searches_seconds_count", "outcome=\"success\"");
            assertMoved(apiBefore, after, "dynrag_uploads_seconds_bucket", "outcome=\"success\"");
            assertThat(after).contains("dynrag_consumer_lag{group=\"dynrag-command-api-ingestion-results\"}");
            // The API's own clients: the event publisher and usage facts, its consumers.
            assertThat(after).contains("kafka_producer_", "kafka_consumer_");
        });
        await().atMost(PATIENCE).alias("the pipeline's series moved").untilAsserted(() -> {
            String after = scrape(pipelineManagement);
            assertMoved(pipelineBefore, after, "dynrag_documents_total", "outcome=\"indexed\"");
            assertMoved(pipelineBefore, after, "dynrag_upload_to_indexed_seconds_count");
            for (String stage : new String[] {"fetch", "extract", "chunk", "embed", "write"}) {
                assertMoved(pipelineBefore, after, "dynrag_ingestion_stage_seconds_count",
                        "stage=\"" + stage + "\"");
            }
            assertMoved(pipelineBefore, after, "dynrag_embedded_word_pieces_total");
            assertThat(after).contains("dynrag_dead_letters_total{topic=\"dynrag.ingestion-dlq.v1\"");
            assertThat(after).contains("dynrag_consumer_lag{group=\"dynrag-ingestion\"}");
        });
        await().atMost(PATIENCE).alias("the projections' series moved").untilAsserted(() -> {
            String after = scrape(projectionsManagement);
            assertMoved(projectionsBefore, after, "hikaricp_connections_usage_seconds_count");
            assertThat(after).contains("dynrag_consumer_lag{group=\"dynrag-projection-documents\"}",
                    "dynrag_consumer_lag{group=\"dynrag-projection-usage\"}");
            assertThat(after).contains("kafka_consumer_");
        });
    }

    private static String scrape(ApiClient management) {
        ApiClient.Response metrics = management.get("/metrics", null);
        assertThat(metrics.status()).isEqualTo(200);
        return metrics.body();
    }

    private static void assertMoved(String before, String after, String name, String... labels) {
        assertThat(sum(after, name, labels)).as(name + " " + Arrays.toString(labels))
                .isGreaterThan(sum(before, name, labels));
    }

    /** The sum of the samples of {@code name} whose labels include all of {@code labels}; 0 when there are none. */
    private static double sum(String scrape, String name, String... labels) {
        return scrape.lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .filter(line -> Arrays.stream(labels).allMatch(line::contains))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
