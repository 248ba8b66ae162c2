package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import io.dynrag.app.corpus.BenchCorpus;
import io.dynrag.app.infra.DataSources;
import io.dynrag.embedded.FreePorts;
import io.dynrag.platform.persistence.Migrations;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dynamic RAG on several machines, each role a process of its own with its own data directory,
 * sharing only Kafka, PostgreSQL and the S3 server: two API processes, two pipelines (a third
 * joins midway, then one is killed with {@code kill -9}) and one projections process. Documents
 * uploaded through both APIs are each indexed exactly once, and both APIs answer a search alike.
 * It prints documents per second for each pipeline count; on a machine with fewer cores than
 * processes that shows the cost of coordination, not scaling (BENCHMARKS.md has the capacity model).
 *
 * <p>CI runs the short mode; {@code -Ddynrag.scaleout.documents=601} soaks it.
 */
@Tag("fault")
class ScaleOutTest {

    private static final int DOCUMENTS = Integer.getInteger("dynrag.scaleout.documents", 37);
    private static final long SEED = 20261207L;
    private static final int PARTITIONS = 6;
    private static final int DOCUMENT_WORD_PIECES = 300;
    private static final Duration PROGRESS_TIMEOUT = Duration.ofMinutes(4);

    private ProcessSystem system;
    private HikariDataSource commandPool;

    @AfterEach
    void stopEverything() {
        if (commandPool != null) {
            commandPool.close();
        }
        if (system != null) {
            system.close();
        }
    }

    @Test
    void twoApisAndAChangingSetOfPipelinesIndexEveryDocumentExactlyOnce() throws IOException {
        system = new ProcessSystem(PARTITIONS);
        commandPool = DataSources.pool(system.infra().jdbcUrl(), system.infra().jdbcUser(),
                system.infra().jdbcPassword(), Migrations.SCHEMA, 2);
        start("projections", "projections", Map.of());
        ApiClient apiA = startApi("api-a");
        ApiClient apiB = startApi("api-b");
        ProcessSystem.RoleProcess pipelineA = startPipeline("pipeline-a");
        startPipeline("pipeline-b");

        String[] customer = ProcessSystem.registerCustomer(apiA, "Scale Out Ltd");
        List<String> texts = new BenchCorpus(SEED, text -> text.split("\\s+").length * 13 / 10)
                .documents(DOCUMENTS, DOCUMENT_WORD_PIECES).stream().map(BenchCorpus.Document::markdown).toList();
        List<ApiClient> apis = List.of(apiA, apiB);
        List<String> documentIds = new ArrayList<>();
        List<String> throughput = new ArrayList<>();
        long started = System.nanoTime();
        // The first document warms the pipelines' model sessions up: not part of the figures.
        phase("warm-up", apis, customer, texts.subList(0, 1), documentIds, 0);

        int third = (DOCUMENTS - 1) / 3;
        throughput.add(phase("2", apis, customer, texts.subList(1, 1 + third), documentIds, 1));
        startPipeline("pipeline-c");
        throughput.add(phase("3 (one joined)", apis, customer, texts.subList(1 + third, 1 + 2 * third), documentIds,
                1 + third));
        long before = IngestionAudit.indexedDocuments(commandPool, customer[0]);
        List<String> last = upload(apis, customer[1], texts.subList(1 + 2 * third, DOCUMENTS), 1 + 2 * third);
        long lastStarted = System.nanoTime();
        await().atMost(PROGRESS_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .alias("a document of the last third indexed before the kill")
                .until(() -> IngestionAudit.indexedDocuments(commandPool, customer[0]) > before);
        pipelineA.kill();
        documentIds.addAll(last);
        awaitIndexed(customer[0], documentIds.size());
        throughput.add(row("2 (one killed with kill -9)", last.size(), lastStarted));

        IngestionAudit.Figures figures = IngestionAudit.audit(new IngestionAudit.Scenario(
                "scale-out: 2 APIs, 2-3 pipelines, 1 projections", 3, 1, started), apiA, system.verifyServers(),
                customer[0], customer[1], documentIds);
        System.out.println("Scale-out throughput (documents of ~" + DOCUMENT_WORD_PIECES + " word pieces)\n"
                + "| pipelines | documents | documents/s |\n|---|---|---|\n" + String.join("\n", throughput));
        figures.assertNothingLostOrDuplicated();

        String query = texts.get(DOCUMENTS - 1).lines().filter(line -> line.length() > 40).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(30)).alias("both APIs answer the search alike")
                .until(() -> hits(apiA, customer[1], query).equals(hits(apiB, customer[1], query)));
        assertThat(hits(apiA, customer[1], query)).isNotEmpty();
    }

    /** Uploads the texts through the APIs in turn and waits until all are indexed; @return the throughput row */
    private String phase(String pipelines, List<ApiClient> apis, String[] customer, List<String> texts,
                         List<String> documentIds, int firstNumber) {
        long started = System.nanoTime();
        documentIds.addAll(upload(apis, customer[1], texts, firstNumber));
        awaitIndexed(customer[0], documentIds.size());
        return row(pipelines, texts.size(), started);
    }

    private static String row(String pipelines, int documents, long startedNanos) {
        return String.format(Locale.ROOT, "| %s | %d | %.1f |", pipelines, documents,
                documents / ((System.nanoTime() - startedNanos) / 1e9));
    }

    private void awaitIndexed(String customerId, int documents) {
        await().atMost(PROGRESS_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .alias(documents + " documents indexed")
                .until(() -> IngestionAudit.indexedDocuments(commandPool, customerId) >= documents);
    }

    private static List<String> upload(List<ApiClient> apis, String key, List<String> texts, int firstNumber) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            ApiClient.Response response = apis.get(i % apis.size()).upload(key, "file",
                    "doc-" + (firstNumber + i) + ".md", texts.get(i).getBytes(StandardCharsets.UTF_8), null);
            assertThat(response.status()).as(response.body()).isEqualTo(202);
            ids.add(response.json().get("documentId").asText());
        }
        return ids;
    }

    /** The hits' identities: document, version and chunk, in order. */
    private static List<String> hits(ApiClient api, String key, String query) {
        ApiClient.Response response = api.postJson("/v1/search", key, Json.object("query", query, "topK", 5));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        List<String> hits = new ArrayList<>();
        for (JsonNode hit : response.json().get("results")) {
            hits.add(hit.get("documentId").asText() + "/" + hit.get("version").asInt() + "/"
                    + hit.get("chunkIndex").asInt());
        }
        return hits;
    }

    private ApiClient startApi(String instance) {
        int port = FreePorts.pick();
        start(instance, "api", Map.of("DYNRAG_HTTP_PORT", Integer.toString(port)));
        return new ApiClient(port);
    }

    private ProcessSystem.RoleProcess startPipeline(String instance) {
        return start(instance, "pipeline", Map.of(
                "DYNRAG_STREAM_THREADS", "2",
                "DYNRAG_EMBEDDING_THREADS", "1",
                // As in PipelineCrashTest: a killed instance's partitions move on once its session times out.
                "DYNRAG_PIPELINE_SESSION_TIMEOUT_SECONDS", "8"));
    }

    /** Starts a role process and waits until its management port reports it ready. */
    private ProcessSystem.RoleProcess start(String instance, String role, Map<String, String> overrides) {
        int managementPort = FreePorts.pick();
        Map<String, String> settings = new HashMap<>(overrides);
        settings.put("DYNRAG_MANAGEMENT_PORT", Integer.toString(managementPort));
        ProcessSystem.RoleProcess process = system.startProcess(instance, role, settings);
        // The management server is no part of the API's contract (docs/openapi.json).
        ApiClient management = new ApiClient(managementPort).outsideContract();
        await().atMost(Duration.ofSeconds(120)).ignoreExceptions()
                .alias(instance + " ready (log " + process.log() + ")")
                .until(() -> management.get("/health/ready", null).status() == 200);
        return process;
    }
}
