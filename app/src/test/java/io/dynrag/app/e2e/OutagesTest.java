package io.dynrag.app.e2e;

import io.dynrag.app.infra.EmbeddedInfra;
import io.dynrag.app.verify.VerifyCommand;
import io.dynrag.vectorstore.LanceLocation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The servers the pipeline depends on fail while documents are being indexed: the S3 API server
 * is down for thirty seconds, the Kafka broker restarts, PostgreSQL restarts. Afterwards every
 * document is indexed exactly once, as the event store, the Lance dataset, {@code ./dynrag verify}
 * and the usage read model each tell it ({@link IngestionAudit}, the checks of the kill -9 suite).
 * The system runs on servers of its own, so the outages do not disturb other tests.
 *
 * <p>CI runs one round of each fault over six documents; {@code -Ddynrag.outage.rounds=10
 * -Ddynrag.outage.documents=20} soaks it (each round uploads new documents, then injects the fault).
 */
@Tag("fault")
class OutagesTest {

    private static final int ROUNDS = Integer.getInteger("dynrag.outage.rounds", 1);
    private static final int DOCUMENTS = Integer.getInteger("dynrag.outage.documents", 6);
    private static final Duration S3_OUTAGE = Duration.ofSeconds(30);
    private static final Duration RECOVERY = Duration.ofMinutes(4);

    private static EmbeddedInfra infra;
    private static TestSystem system;

    @BeforeAll
    static void start() throws Exception {
        infra = EmbeddedInfra.start(Files.createTempDirectory("dynrag-outages-"));
        system = TestSystem.start(infra);
    }

    @AfterAll
    static void stop() {
        if (system != null) {
            system.close();
        }
    }

    @Test
    void anObjectStoreOutageOfThirtySecondsIsWaitedOut() {
        survives("S3 API server down 30 s", () -> {
            infra.stopS3();
            try {
                Thread.sleep(S3_OUTAGE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                infra.startS3Again();
            }
        });
    }

    @Test
    void aBrokerRestartMidIngestLosesAndRepeatsNothing() {
        survives("Kafka broker restarted", () -> infra.restartKafka());
    }

    @Test
    void aDatabaseRestartMidIngestLosesAndRepeatsNothing() {
        survives("PostgreSQL restarted", () -> infra.restartPostgres());
    }

    /** Uploads documents of a new customer, injects the fault while they are indexed, checks the outcome. */
    private static void survives(String fault, Runnable inject) {
        long started = System.nanoTime();
        TestSystem.Account account = system.signUp(fault);
        List<String> documents = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            documents.addAll(upload(account, fault.split(" ")[0].toLowerCase(Locale.ROOT) + "-" + round));
            inject.run();
        }
        long faultEnded = System.nanoTime();
        for (String documentId : documents) {
            system.awaitStatus(account.accessToken(), documentId, "INDEXED", RECOVERY);
        }
        System.out.printf("Outage: %s; all %d documents indexed %.1f s after the last fault ended%n", fault,
                documents.size(), (System.nanoTime() - faultEnded) / 1e9);
        IngestionAudit.audit(new IngestionAudit.Scenario(fault, ROUNDS, ROUNDS, started), system.api(),
                new VerifyCommand.Servers(infra.jdbcUrl(), infra.jdbcUser(), infra.jdbcPassword(), infra.s3(),
                        LanceLocation.local(system.lanceRoot())),
                account.customerId(), account.accessToken(), documents)
                .assertNothingLostOrDuplicated();
    }

    private static List<String> upload(TestSystem.Account account, String name) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < DOCUMENTS; i++) {
            String text = (i % 2 == 0 ? Corpus.lighthouseGuide() : Corpus.recipes()) + "\n\nCopy " + i + " for " + name + ".";
            ApiClient.Response accepted = system.api().upload(account.accessToken(), "file", name + "-" + i + ".md",
                    text.getBytes(StandardCharsets.UTF_8), null);
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
            ids.add(accepted.json().get("documentId").asText());
        }
        return ids;
    }
}
