package io.dynrag.app.e2e;

import com.zaxxer.hikari.HikariDataSource;
import io.dynrag.app.corpus.BenchCorpus;
import io.dynrag.app.infra.DataSources;
import io.dynrag.app.roles.Role;
import io.dynrag.app.roles.RunningRoles;
import io.dynrag.domain.document.DocumentVersionIndexed;
import io.dynrag.platform.persistence.Migrations;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * "Nothing lost, nothing duplicated" under {@code kill -9}: the pipeline role runs as processes of
 * its own beside the API and projections roles, and is killed at seeded random points while
 * documents are ingested, then restarted. Afterwards every document is indexed exactly once, as the
 * event store, the Lance datasets ({@code dynrag verify}) and the usage read model each tell it.
 *
 * <p>CI runs the short mode; {@code -Ddynrag.fault.rounds=50 -Ddynrag.fault.documents=500} (and
 * {@code -Ddynrag.fault.seed}) soak it for longer.
 */
@Tag("fault")
class PipelineCrashTest {

    private static final int ROUNDS = Integer.getInteger("dynrag.fault.rounds", 5);
    private static final int DOCUMENTS = Integer.getInteger("dynrag.fault.documents", 100);
    private static final long SEED = Long.getLong("dynrag.fault.seed", 20261126L);
    private static final int PARTITIONS = 4;
    /** Word pieces per document: a few chunks each at 120 word pieces per chunk. */
    private static final int DOCUMENT_WORD_PIECES = 300;
    /** Longest wait for a restarted pipeline to index anything, and for the last documents once faults stop. */
    private static final Duration PROGRESS_TIMEOUT = Duration.ofMinutes(3);

    private ProcessSystem system;
    private ApiClient api;
    private HikariDataSource commandPool;

    @BeforeEach
    void startSystemWithoutPipeline() throws IOException {
        system = new ProcessSystem(PARTITIONS);
        RunningRoles roles = system.startInThisJvm(EnumSet.of(Role.API, Role.PROJECTIONS), Map.of());
        api = new ApiClient(roles.httpPort());
        await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/health", null).status() == 200);
        commandPool = DataSources.pool(system.infra().jdbcUrl(), system.infra().jdbcUser(),
                system.infra().jdbcPassword(), Migrations.SCHEMA, 2);
    }

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
    void killingThePipelineAtRandomPointsLosesAndDuplicatesNothing() throws InterruptedException {
        Random random = new Random(SEED);
        String[] customer = ProcessSystem.registerCustomer(api, "Crash Ltd");
        List<String> texts = corpus(SEED);
        List<String> documentIds = new ArrayList<>();
        int kills = 0;
        long started = System.nanoTime();
        for (int round = 0; round < ROUNDS; round++) {
            // Every round brings new documents, so each kill lands while there is work in flight.
            int from = DOCUMENTS * round / ROUNDS;
            int to = DOCUMENTS * (round + 1) / ROUNDS;
            documentIds.addAll(upload(customer[1], texts.subList(from, to), from));
            killAfterProgress(startPipeline("pipeline-a"), customer[0], documentIds.size(), random);
            kills++;
        }
        startPipeline("pipeline-a");
        check("kill -9 of the only pipeline", customer, documentIds, ROUNDS, kills, started)
                .assertNothingLostOrDuplicated();
    }

    @Test
    void whenOneOfTwoPipelinesIsKilledTheOtherCompletesTheWork() throws InterruptedException {
        Random random = new Random(SEED + 1);
        String[] customer = ProcessSystem.registerCustomer(api, "Rebalance Ltd");
        List<String> texts = corpus(SEED + 1);
        long started = System.nanoTime();
        ProcessSystem.RoleProcess first = startPipeline("pipeline-a");
        startPipeline("pipeline-b");
        List<String> documentIds = new ArrayList<>(upload(customer[1], texts, 0));
        killAfterProgress(first, customer[0], documentIds.size(), random);
        check("kill -9 of one of two pipelines", customer, documentIds, 1, 1, started)
                .assertNothingLostOrDuplicated();
    }

    /**
     * Waits until the process has indexed at least one more document than before it started (or
     * everything is indexed), then for a random moment, and kills it.
     */
    private void killAfterProgress(ProcessSystem.RoleProcess pipeline, String customerId, int uploaded, Random random)
            throws InterruptedException {
        long before = IngestionAudit.indexedDocuments(commandPool, customerId);
        await().atMost(PROGRESS_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .alias("the pipeline indexes a document (" + before + " of " + uploaded + " indexed so far; log "
                        + pipeline.log() + ")")
                .until(() -> {
                    long indexed = IngestionAudit.indexedDocuments(commandPool, customerId);
                    return indexed > before || indexed >= uploaded;
                });
        Thread.sleep(random.nextInt(2_000));
        pipeline.kill();
    }

    private IngestionAudit.Figures check(String scenario, String[] customer, List<String> documentIds, int rounds,
                                         int kills, long started) {
        await().atMost(PROGRESS_TIMEOUT).pollInterval(Duration.ofMillis(250))
                .alias("every document indexed after the faults; missing " + (documentIds.size()
                        - IngestionAudit.indexedDocuments(commandPool, customer[0])) + " of " + documentIds.size())
                .until(() -> IngestionAudit.indexedDocuments(commandPool, customer[0]) >= documentIds.size());
        return IngestionAudit.audit(new IngestionAudit.Scenario(scenario, rounds, kills, started), api,
                system.verifyServers(), customer[0], customer[1], documentIds);
    }

    private static List<String> corpus(long seed) {
        return new BenchCorpus(seed, text -> text.split("\\s+").length * 13 / 10)
                .documents(DOCUMENTS, DOCUMENT_WORD_PIECES).stream().map(BenchCorpus.Document::markdown).toList();
    }

    private List<String> upload(String key, List<String> texts, int firstNumber) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            ApiClient.Response response = api.upload(key, "file", "doc-" + (firstNumber + i) + ".md",
                    texts.get(i).getBytes(StandardCharsets.UTF_8), null);
            assertThat(response.status()).as(response.body()).isEqualTo(202);
            ids.add(response.json().get("documentId").asText());
        }
        return ids;
    }

    /** The pipeline role as a process of its own; an instance keeps its data directory across restarts. */
    private ProcessSystem.RoleProcess startPipeline(String instance) {
        return system.startProcess(instance, "pipeline", Map.of(
                // Two threads per process, so that two processes share the partitions between four threads.
                "DYNRAG_STREAM_THREADS", "2",
                "DYNRAG_EMBEDDING_THREADS", "1",
                // A killed instance's partitions move on once its session times out (short here, as these
                // documents take well under a second each); the transaction it left open is aborted then too.
                // The transaction timeout keeps its default of fifteen minutes, so a stall would show.
                "DYNRAG_PIPELINE_SESSION_TIMEOUT_SECONDS", "8"));
    }
}
