package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.app.infra.S3Clients;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Versions, incremental re-embedding and deletion, driven over HTTP against the whole system. */
@Tag("e2e")
class DocumentVersionsTest {

    private TestSystem system;
    private ApiClient api;

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
        api = system.api();
    }

    @Test
    void aNewVersionReEmbedsOnlyWhatChangedAndIdenticalBytesChangeNothing() {
        String key = system.registerCustomer("Versioned Ltd");
        List<String> paragraphs = paragraphs(60);
        ApiClient.Response created = upload(key, "/v1/documents", "guide.txt", String.join("\n\n", paragraphs));
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        String documentId = created.json().get("documentId").asText();
        JsonNode first = system.awaitStatus(key, documentId, "INDEXED");
        assertThat(first.get("chunks").asInt()).isGreaterThanOrEqualTo(20);

        ApiClient.Response same = upload(key, "/v1/documents/" + documentId + "/versions", "guide.txt",
                String.join("\n\n", paragraphs));
        assertThat(same.status()).as(same.body()).isEqualTo(200);
        assertThat(same.json().get("version").asInt()).isEqualTo(1);
        assertThat(same.json().get("unchanged").asBoolean()).isTrue();

        List<String> edited = new ArrayList<>(paragraphs);
        edited.set(30, "This paragraph was rewritten entirely: tidal mills once ground grain on estuaries, "
                + "storing sea water behind a dam at high tide and releasing it through a wheel at low tide.");
        ApiClient.Response second = upload(key, "/v1/documents/" + documentId + "/versions", "guide.txt",
                String.join("\n\n", edited));
        assertThat(second.status()).as(second.body()).isEqualTo(202);
        assertThat(second.json().get("version").asInt()).isEqualTo(2);

        JsonNode indexed = await().atMost(TestSystem.INDEXING_TIMEOUT).until(
                () -> api.get("/v1/documents/" + documentId, key).json(),
                view -> view.get("version").asInt() == 2 && "INDEXED".equals(view.get("status").asText()));
        int chunks = indexed.get("chunks").asInt();
        int reused = indexed.get("reusedChunks").asInt();
        assertThat(chunks - reused).as("re-embedded chunks after editing one paragraph").isBetween(1, 3);
        assertThat(indexed.get("embeddedTokens").asLong()).isLessThan(indexed.get("tokens").asLong());
        assertThat(indexed.get("meteredTokens").asLong()).isPositive();
        assertThat(indexed.get("characters").asLong()).isPositive();
        assertThat(indexed.get("title").asText()).isEqualTo("guide.txt");

        JsonNode versions = api.get("/v1/documents/" + documentId + "/versions", key).json().get("versions");
        assertThat(versions).hasSize(2);
        assertThat(versions.get(0).get("version").asInt()).isEqualTo(1);
        assertThat(versions.get(0).get("status").asText()).isEqualTo("INDEXED");
        assertThat(versions.get(0).get("reusedChunks").asInt()).isZero();
        assertThat(versions.get(1).get("stageMillis").has("embed")).isTrue();
        assertThat(versions.get(1).get("lanceVersion").asLong())
                .isGreaterThan(versions.get(0).get("lanceVersion").asLong());
    }

    @Test
    void aDeletedDocumentLeavesSearchAndStorageAndTakesNoMoreVersions() throws Exception {
        String[] customer = system.registerCustomerWithId("Deleting Inc");
        String key = customer[1];
        ApiClient.Response created = upload(key, "/v1/documents", "volcanoes.md",
                "# Volcanoes\n\nMagma rises through the crust and erupts as lava, ash and gas.");
        String documentId = created.json().get("documentId").asText();
        system.awaitStatus(key, documentId, "INDEXED");
        assertThat(system.search(key, "lava eruptions", 5)).isNotEmpty();

        ApiClient.Response deleted = api.delete("/v1/documents/" + documentId, key);
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);
        assertThat(deleted.json().get("status").asText()).isEqualTo("DELETED");
        assertThat(system.search(key, "lava eruptions", 5)).as("never returned once deleted").isEmpty();
        assertThat(api.get("/v1/documents/" + documentId, key).json().get("status").asText()).isEqualTo("DELETED");
        assertThat(api.delete("/v1/documents/" + documentId, key).status()).as("idempotent").isEqualTo(202);
        TestSystem.assertProblem(upload(key, "/v1/documents/" + documentId + "/versions", "volcanoes.md",
                "# Volcanoes\n\nNew text."), 409);

        try (S3Client s3 = S3Clients.create(system.infra().s3())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> s3.listObjectsV2(b -> b.bucket(system.infra().s3().bucket())
                    .prefix("tenants/" + customer[0] + "/documents/" + documentId + "/")).contents().isEmpty());
        }
        Database database = new Database(system.infra().jdbcUrl(), system.infra().jdbcUser(),
                system.infra().jdbcPassword());
        await().atMost(Duration.ofSeconds(60)).until(() -> database.count(
                "SELECT count(*) FROM command.domain_event_entry WHERE aggregate_identifier = ? "
                        + "AND payload_type LIKE '%DocumentRemovedFromIndex'", documentId) == 1);
    }

    @Test
    void badRequestsOnVersionAndDeleteEndpointsAreProblemsAndChangeNothing() {
        String owner = system.registerCustomer("Owner");
        String stranger = system.registerCustomer("Stranger");
        String documentId = upload(owner, "/v1/documents", "a.txt", "Owned text.").json().get("documentId").asText();
        String versions = "/v1/documents/" + documentId + "/versions";

        TestSystem.assertProblem(upload(stranger, versions, "a.txt", "Hijack."), 404);
        TestSystem.assertProblem(api.get(versions, stranger), 404);
        TestSystem.assertProblem(api.delete("/v1/documents/" + documentId, stranger), 404);
        TestSystem.assertProblem(upload(owner, "/v1/documents/" + UUID.randomUUID() + "/versions", "a.txt", "x"), 404);
        TestSystem.assertProblem(api.delete("/v1/documents/not-a-uuid", owner), 404);
        TestSystem.assertProblem(api.outsideContract().postRaw(versions, owner, "text/plain",
                "just text".getBytes(StandardCharsets.UTF_8)), 415);
        TestSystem.assertProblem(api.outsideContract().postRaw(versions, owner, "application/json",
                "{}".getBytes(StandardCharsets.UTF_8)), 400);
        TestSystem.assertProblem(api.postRaw(versions, owner, "multipart/form-data; boundary=b", multipartOf("a.exe",
                new byte[]{'M', 'Z', (byte) 0x90, 0, 3, 0, 0, 0})), 415);
        TestSystem.assertProblem(upload(owner, versions, "empty.txt", ""), 400);

        JsonNode history = api.get(versions, owner).json().get("versions");
        assertThat(history).hasSize(1);
        assertThat(api.get("/v1/documents/" + documentId, owner).json().get("version").asInt()).isEqualTo(1);
    }

    private static byte[] multipartOf(String filename, byte[] content) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes("\r\n--b--\r\n".getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }

    private ApiClient.Response upload(String key, String path, String filename, String text) {
        String boundary = "----dynrag" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return api.postRaw(path, key, "multipart/form-data; boundary=" + boundary, body.toByteArray());
    }

    /** Distinct, realistic paragraphs of about 50 word pieces each. */
    private static List<String> paragraphs(int count) {
        String[] subjects = {"The harbour master", "A lighthouse keeper", "The ferry captain", "An old fisherman",
                "The coast guard", "A marine biologist", "The shipwright", "A lock keeper"};
        String[] actions = {"recorded the tides", "repaired the nets", "painted the hull", "charted the sandbanks",
                "counted the seals", "logged the storms", "measured the currents", "inspected the buoys"};
        List<String> paragraphs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            paragraphs.add(subjects[i % subjects.length] + " " + actions[(i * 3) % actions.length] + " on day " + i
                    + " of the season, noting in the ledger how the weather over the estuary changed from morning "
                    + "fog to a bright afternoon, and what that meant for the boats due in port number " + (i * 7 % 13)
                    + ".");
        }
        return paragraphs;
    }
}
