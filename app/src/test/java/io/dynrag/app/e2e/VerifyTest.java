package io.dynrag.app.e2e;

import com.zaxxer.hikari.HikariDataSource;
import io.dynrag.app.config.InvalidSettingException;
import io.dynrag.app.infra.DataSources;
import io.dynrag.app.infra.S3Clients;
import io.dynrag.app.verify.VerifyCommand;
import io.dynrag.platform.persistence.Migrations;
import io.dynrag.vectorstore.LanceChunkStore;
import io.dynrag.vectorstore.LanceLocation;
import io.dynrag.vectorstore.dataset.ChunkRow;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code dynrag verify} against the whole running system: a customer's stored state as the pipeline
 * left it matches its events; rows damaged in a new dataset version and objects changed or deleted
 * behind the system's back are reported against the right document, without verify writing anything.
 */
@Tag("e2e")
class VerifyTest {

    private static final String NOTE_V1 = "Sourdough needs a lively starter, flour, water and salt.";
    private static final String NOTE_V2 = "Sourdough needs time, patience and a warm kitchen.";

    private TestSystem system;
    private ApiClient api;

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
        api = system.api();
    }

    @Test
    void theStoredStateMatchesTheEventsUntilRowsOrObjectsAreDamaged() throws Exception {
        String[] customer = system.registerCustomerWithId("Verified Ltd");
        String customerId = customer[0];
        String key = customer[1];
        String guide = upload(key, "lighthouse.md", Corpus.lighthouseGuide().getBytes(StandardCharsets.UTF_8));
        String note = upload(key, "note.txt", NOTE_V1.getBytes(StandardCharsets.UTF_8));
        String recipes = upload(key, "recipes.txt", Corpus.recipes().getBytes(StandardCharsets.UTF_8));
        String doomed = upload(key, "doomed.txt", "This note will be deleted.".getBytes(StandardCharsets.UTF_8));
        String scan = upload(key, "scan.pdf", Corpus.pdfWithoutText());
        String model = system.awaitStatus(key, guide, "INDEXED").get("model").asText();
        system.awaitStatus(key, note, "INDEXED");
        system.awaitStatus(key, recipes, "INDEXED");
        system.awaitStatus(key, doomed, "INDEXED");
        system.awaitStatus(key, scan, "FAILED");
        ApiClient.Response second = api.uploadTo("/v1/documents/" + note + "/versions", ApiClient.bearer(key),
                "file", "note.txt", NOTE_V2.getBytes(StandardCharsets.UTF_8), null);
        assertThat(second.status()).as(second.body()).isEqualTo(202);
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> api.get("/v1/documents/" + note, key).json(),
                view -> view.get("version").asInt() == 2 && "INDEXED".equals(view.get("status").asText()));
        assertThat(api.delete("/v1/documents/" + doomed, key).status()).isEqualTo(202);
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> system.database().count(
                "SELECT count(*) FROM command.domain_event_entry WHERE aggregate_identifier = ? "
                        + "AND payload_type LIKE '%DocumentRemovedFromIndex'", doomed) == 1);

        long eventsBefore = eventsOf(customerId);
        List<String> objectsBefore = system.objectKeys("tenants/" + customerId + "/");
        OptionalLong datasetBefore;
        try (LanceChunkStore lance = new LanceChunkStore(system.lanceRoot())) {
            datasetBefore = lance.latestVersion(customerId, model);
        }
        Run clean = verify(customerId);
        assertThat(clean.status()).as(clean.output()).isZero();
        assertThat(clean.output()).doesNotContain("DISCREPANCY")
                .contains("NOTE document " + scan + " v1: FAILED")
                .contains("Verified customer " + customerId + ": 5 documents, 6 versions, ")
                .contains("6 objects checked; no discrepancies, 1 note");
        assertThat(eventsOf(customerId)).as("verify appends no events").isEqualTo(eventsBefore);
        assertThat(system.objectKeys("tenants/" + customerId + "/")).as("verify leaves objects")
                .isEqualTo(objectsBefore);

        try (LanceChunkStore lance = new LanceChunkStore(system.lanceRoot())) {
            assertThat(lance.latestVersion(customerId, model)).as("verify commits no dataset version")
                    .isEqualTo(datasetBefore);
            List<ChunkRow> rows = lance.documentRows(customerId, model, guide);
            assertThat(rows).hasSizeGreaterThanOrEqualTo(2);
            List<ChunkRow> damaged = new ArrayList<>(rows.subList(0, rows.size() - 1));
            ChunkRow first = damaged.getFirst();
            damaged.set(0, new ChunkRow(guide, first.docVersion(), 0, first.text() + " Edited by hand.",
                    first.tokenCount(), first.contentHash(), first.charStart(), first.charEnd(), first.page(), model,
                    first.vector()));
            lance.replaceDocument(customerId, model, guide, damaged);

            Run afterDamage = verify(customerId);
            assertThat(afterDamage.status()).as(afterDamage.output()).isEqualTo(VerifyCommand.DISCREPANCIES);
            assertThat(discrepancies(afterDamage)).as(afterDamage.output()).hasSize(3).contains(
                    "DISCREPANCY document " + guide + " v1: the latest version (" + (datasetBefore.getAsLong() + 1)
                            + ") of dataset " + model + " holds " + (rows.size() - 1) + " rows, expected " + rows.size()
                            + " (the chunks recorded when it was indexed)",
                    "DISCREPANCY document " + guide + " v1: the latest version (" + (datasetBefore.getAsLong() + 1)
                            + ") of dataset " + model + " lacks chunk indexes " + (rows.size() - 1) + " of 0.."
                            + (rows.size() - 1));
            assertThat(afterDamage.output()).containsPattern("DISCREPANCY document " + guide
                    + " v1: the latest version .* chunk 0 has content_hash [0-9a-f]{12}…, but its text hashes to");

            lance.replaceDocument(customerId, model, guide, rows);
        }
        Run repaired = verify(customerId);
        assertThat(repaired.status()).as("rows put back as they were: " + repaired.output()).isZero();

        String noteV2Key = "tenants/" + customerId + "/documents/" + note + "/" + sha256(NOTE_V2);
        String recipesKey = "tenants/" + customerId + "/documents/" + recipes + "/" + sha256(Corpus.recipes());
        try (S3Client s3 = S3Clients.create(system.infra().s3())) {
            String bucket = system.infra().s3().bucket();
            s3.putObject(b -> b.bucket(bucket).key(noteV2Key), RequestBody.fromString("Overwritten."));
            s3.deleteObject(b -> b.bucket(bucket).key(recipesKey));
        }
        Run afterObjects = verify(customerId);
        assertThat(afterObjects.status()).as(afterObjects.output()).isEqualTo(VerifyCommand.DISCREPANCIES);
        assertThat(discrepancies(afterObjects)).as(afterObjects.output()).containsExactlyInAnyOrder(
                "DISCREPANCY document " + note + " v2: object " + noteV2Key + " holds 12 bytes, expected "
                        + NOTE_V2.length(),
                "DISCREPANCY document " + note + " v2: object " + noteV2Key + " has sha256 " + sha256("Overwritten.")
                        + ", expected " + sha256(NOTE_V2),
                "DISCREPANCY document " + recipes + " v1: object " + recipesKey + " is missing, expected "
                        + Corpus.recipes().getBytes(StandardCharsets.UTF_8).length + " bytes with sha256 "
                        + sha256(Corpus.recipes()));
        assertThat(afterObjects.output()).contains("3 discrepancies, 1 note");
    }

    @Test
    void aCustomerTheEventsDoNotKnowIsAClearError() {
        assertThatThrownBy(() -> verify("00000000-0000-0000-0000-000000000000"))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("no customer '00000000-0000-0000-0000-000000000000'");
    }

    @Test
    void verifyReadsTheDatabaseThroughConnectionsThatRefuseWrites() throws Exception {
        try (HikariDataSource pool = DataSources.readOnlyPool(system.infra().jdbcUrl(), system.infra().jdbcUser(),
                system.infra().jdbcPassword(), Migrations.SCHEMA, 1);
             Connection connection = pool.getConnection();
             Statement statement = connection.createStatement()) {
            assertThat(statement.executeQuery("SELECT count(*) FROM document_state").next()).isTrue();
            assertThatThrownBy(() -> statement.executeUpdate("DELETE FROM document_state WHERE document_id = 'none'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("read-only transaction");
        }
    }

    private String upload(String key, String filename, byte[] content) {
        ApiClient.Response response = api.upload(key, "file", filename, content, null);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("documentId").asText();
    }

    private long eventsOf(String customerId) {
        return system.database().count("SELECT count(*) FROM command.domain_event_entry WHERE aggregate_identifier IN "
                + "(SELECT document_id FROM command.document_state WHERE customer_id = ?) OR aggregate_identifier = ?",
                customerId, customerId);
    }

    private static List<String> discrepancies(Run run) {
        return run.output().lines().filter(line -> line.startsWith("DISCREPANCY")).toList();
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private record Run(int status, String output) {
    }

    private Run verify(String customerId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = VerifyCommand.verify(new VerifyCommand.Servers(system.infra().jdbcUrl(), system.infra().jdbcUser(),
                system.infra().jdbcPassword(), system.infra().s3(), LanceLocation.local(system.lanceRoot())),
                customerId, new PrintStream(out, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8));
    }
}
