package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.app.replay.ReplayCommand;
import io.dynrag.projections.Projections;
import io.dynrag.schemas.connection.KafkaConnection;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every projection rebuilt from nothing, from Kafka and from the event store, equals the live one;
 * a damaged live table is found and replaced while the projections role keeps running.
 */
@Tag("e2e")
class ReplayTest {

    private TestSystem system;
    private ApiClient api;

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
        api = system.api();
    }

    @Test
    void everyProjectionRebuildsToIdenticalRowsFromKafkaAndFromTheEventStore() {
        mixedWorkload();

        Run fromKafka = replay("all", "--from", "kafka");
        assertThat(fromKafka.status()).as(fromKafka.output()).isZero();
        assertThat(fromKafka.output()).contains("Replayed 'documents'", "Replayed 'usage'").doesNotContain("DIFFERENT");

        // The event store and Kafka agree once every event is published; events of other tests may still be on
        // their way, so the comparison is repeated until the system is quiet.
        Run fromEvents = await().atMost(TestSystem.INDEXING_TIMEOUT).until(
                () -> replay("all", "--from", "events"), run -> run.status() == 0);
        assertThat(fromEvents.output()).contains("from the event store and Kafka").doesNotContain("DIFFERENT");
        assertThat(system.database().count("SELECT count(*) FROM information_schema.schemata "
                + "WHERE schema_name LIKE 'replay_%'")).as("identical rebuilds leave nothing behind").isZero();
    }

    @Test
    void aDamagedReadModelIsFoundAndSwappedForTheRebuiltOneWhileTheRunnerContinues() {
        String[] customer = system.registerCustomerWithId("Damaged Ltd");
        String key = customer[1];
        system.awaitStatus(key, system.uploadDocument(key, "lighthouse.md", Corpus.lighthouseGuide()), "INDEXED");
        JsonNode before = settledUsage(key, 1);

        system.database().execute("UPDATE " + Projections.SCHEMA + ".usage_daily SET embedded_tokens = "
                + "embedded_tokens + 1000 WHERE customer_id = ?", customer[0]);
        Run compared = replay("usage");
        assertThat(compared.status()).as(compared.output()).isEqualTo(ReplayCommand.DIFFERENT);
        assertThat(compared.output()).containsPattern("usage_daily .* DIFFERENT")
                .containsPattern("usage_document .* identical")
                .contains("kept in schema replay_usage");

        Run swapped = replay("usage", "--swap");
        assertThat(swapped.status()).as(swapped.output()).isZero();
        assertThat(swapped.output()).contains("Swapped in");
        assertThat(usage(key).get("embeddedTokens").asLong()).isEqualTo(before.get("embeddedTokens").asLong());

        // The live runner goes on from the swapped tables: the next upload counts exactly once.
        system.awaitStatus(key, system.uploadDocument(key, "note.txt", "Tea is best brewed below boiling."), "INDEXED");
        settledUsage(key, 2);
        Run again = replay("usage");
        assertThat(again.status()).as(again.output()).isZero();
    }

    /** Documents indexed, re-versioned, failed and deleted, searches, and a customer that leaves, its ceilings set. */
    private void mixedWorkload() {
        String key = system.registerCustomer("Replayed Ltd");
        String guide = system.uploadDocument(key, "lighthouse.md", Corpus.lighthouseGuide());
        String note = system.uploadDocument(key, "note.txt", "Sourdough needs a lively starter, flour, water and salt.");
        String scan = system.uploadDocument(key, "scan.pdf", Corpus.pdfWithoutText());
        system.awaitStatus(key, guide, "INDEXED");
        system.awaitStatus(key, note, "INDEXED");
        system.awaitStatus(key, scan, "FAILED");
        ApiClient.Response version = api.uploadTo("/v1/documents/" + note + "/versions", ApiClient.bearer(key),
                "file", "note.txt", "Sourdough needs time.".getBytes(StandardCharsets.UTF_8), null);
        assertThat(version.status()).as(version.body()).isEqualTo(202);
        system.search(key, "fog signal", 3);
        assertThat(api.delete("/v1/documents/" + guide, key).status()).isEqualTo(202);
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(
                () -> api.get("/v1/documents/" + note, key).json(),
                view -> view.get("version").asInt() == 2 && "INDEXED".equals(view.get("status").asText()));

        String[] leaving = system.registerCustomerWithId("Leaving Ltd");
        assertThat(api.putJson("/v1/admin/customers/" + leaving[0] + "/ceilings", system.adminAccessToken(),
                Json.object("maxDocuments", 20_000)).status()).isEqualTo(200);
        system.awaitStatus(leaving[1],
                system.uploadDocument(leaving[1], "note.txt", "Bees dance to show where flowers are."), "INDEXED");
        assertThat(api.delete("/v1/admin/customers/" + leaving[0], system.adminAccessToken()).status())
                .isEqualTo(202);
        // A replay from Kafka rebuilds up to the offsets it finds when it starts: the deletion must be on the topic
        // by then, or the live read model, applying it a moment later, differs from the rebuilt one.
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> system.database().count("SELECT count(*) FROM "
                + Projections.SCHEMA + ".deleted_customer WHERE customer_id = ?", leaving[0]) == 1);
    }

    private JsonNode settledUsage(String key, long indexed) {
        return await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> usage(key),
                usage -> usage.get("documentsIndexed").asLong() == indexed);
    }

    private JsonNode usage(String key) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        return api.get("/v1/usage?from=" + today.minusDays(1) + "&to=" + today, key).json().get("total");
    }

    private record Run(int status, String output) {
    }

    private Run replay(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = ReplayCommand.replay(new ReplayCommand.Servers(
                        KafkaConnection.to(system.infra().kafkaBootstrapServers()),
                        system.infra().jdbcUrl(), system.infra().jdbcUser(), system.infra().jdbcPassword()),
                ReplayCommand.parse(args), new PrintStream(out, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8));
    }
}
