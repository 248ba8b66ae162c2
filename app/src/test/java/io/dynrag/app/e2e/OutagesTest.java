package io.dynrag.app.e2e;

import io.dynrag.api.persistence.Migrations;
import io.dynrag.app.infra.EmbeddedInfra;
import io.dynrag.app.verify.VerifyCommand;
import io.dynrag.domain.document.DocumentVersionFailed;
import io.dynrag.domain.document.DocumentVersionIndexed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The servers the pipeline depends on fail while documents are being indexed: the S3 API server
 * is down for thirty seconds, the Kafka broker restarts, PostgreSQL restarts. Afterwards every
 * document is indexed exactly once: one indexed event and no failure per version, and the rows in
 * Lance, the events and the stored objects agree ({@code ./dynrag verify}). The system runs on
 * servers of its own, so the outages do not disturb other tests.
 */
class OutagesTest {

    private static final int DOCUMENTS = 6;
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
        TestSystem.Account account = system.signUp(fault);
        List<String> documents = upload(account, fault.split(" ")[0].toLowerCase(java.util.Locale.ROOT));
        inject.run();
        assertIndexedExactlyOnce(fault, account, documents);
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

    private static void assertIndexedExactlyOnce(String fault, TestSystem.Account account, List<String> documents) {
        long started = System.nanoTime();
        long indexed = 0;
        long failed = 0;
        for (String documentId : documents) {
            system.awaitStatus(account.accessToken(), documentId, "INDEXED", RECOVERY);
            indexed += events(documentId, DocumentVersionIndexed.class);
            failed += events(documentId, DocumentVersionFailed.class);
        }
        System.out.printf("Outage: %s; %d documents, %d indexed events, %d failures, all indexed %.1f s after it ended"
                + "%n", fault, documents.size(), indexed, failed, (System.nanoTime() - started) / 1e9);
        assertThat(indexed).as("one indexed event per document").isEqualTo(documents.size());
        assertThat(failed).as("failed versions").isZero();
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        int status = VerifyCommand.verify(new VerifyCommand.Servers(infra.jdbcUrl(), infra.jdbcUser(),
                infra.jdbcPassword(), infra.s3(), system.lanceRoot()), account.customerId(),
                new PrintStream(report, true, StandardCharsets.UTF_8));
        assertThat(status).as(report.toString(StandardCharsets.UTF_8)).isZero();
    }

    private static long events(String documentId, Class<?> type) {
        return system.database().count("SELECT count(*) FROM " + Migrations.SCHEMA
                + ".domain_event_entry WHERE aggregate_identifier = ? AND payload_type = '" + type.getName() + "'",
                documentId);
    }
}
