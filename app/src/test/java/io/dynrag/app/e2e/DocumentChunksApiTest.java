package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /v1/documents/{id}/chunks}: the chunks of each indexed version, paged, over HTTP. */
@Tag("e2e")
class DocumentChunksApiTest {

    private TestSystem system;
    private ApiClient api;

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
        api = system.api();
    }

    @Test
    void theChunksOfEachIndexedVersionPageByPage() {
        String key = system.registerCustomer("Chunks Ltd");
        String stranger = system.registerCustomer("Chunks Stranger Ltd");
        Instant beforeUpload = Instant.now();
        String documentId = system.uploadDocument(key, "guide.md", guide("Tides"));
        String chunks = "/v1/documents/" + documentId + "/chunks";
        int indexedChunks = system.awaitStatus(key, documentId, "INDEXED").get("chunks").asInt();
        assertThat(indexedChunks).isGreaterThan(5);
        Instant afterFirst = Instant.now();

        List<JsonNode> all = pages(key, chunks + "?limit=5");
        assertThat(all).extracting(chunk -> chunk.get("chunkIndex").asInt())
                .isEqualTo(IntStream.range(0, indexedChunks).boxed().toList());
        assertThat(all.getFirst().get("text").asText()).contains("Tides");
        assertThat(all.getFirst().get("tokenCount").asInt()).isPositive();
        assertThat(all.getFirst().get("charEnd").asInt()).isGreaterThan(all.getFirst().get("charStart").asInt());
        JsonNode page = api.get(chunks, key).json();
        assertThat(page.get("version").asInt()).isEqualTo(1);
        assertThat(page.get("model").asText()).isNotBlank();

        ApiClient.Response second = api.uploadTo(chunks.replace("/chunks", "/versions"), ApiClient.bearer(key),
                "file", "guide.md", guide("Waves").getBytes(StandardCharsets.UTF_8), null);
        assertThat(second.status()).as(second.body()).isEqualTo(202);
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> api.get(chunks, key).json().get("version").asInt() == 2);
        assertThat(api.get(chunks, key).json().get("chunks").get(0).get("text").asText()).contains("Waves");
        assertThat(api.get(chunks + "?version=1", key).json().get("chunks").get(0).get("text").asText())
                .contains("Tides");
        assertThat(api.get(chunks + "?asOf=" + afterFirst, key).json().get("version").asInt()).isEqualTo(1);

        TestSystem.assertProblem(api.get(chunks + "?asOf=" + beforeUpload, key), 404);
        TestSystem.assertProblem(api.get(chunks + "?version=9", key), 404);
        TestSystem.assertProblem(api.get(chunks + "?version=1&asOf=" + afterFirst, key), 400);
        TestSystem.assertProblem(api.outsideContract().get(chunks + "?limit=500", key), 400);
        TestSystem.assertProblem(api.get(chunks + "?cursor=nonsense", key), 400);
        String cursorOfVersionTwo = api.get(chunks + "?limit=1", key).json().get("nextCursor").asText();
        TestSystem.assertProblem(api.get(chunks + "?version=1&cursor=" + cursorOfVersionTwo, key), 400);
        TestSystem.assertProblem(api.get(chunks, stranger), 404);

        Instant beforeDelete = Instant.now();
        assertThat(api.delete("/v1/documents/" + documentId, key).status()).isEqualTo(202);
        TestSystem.assertProblem(api.get(chunks, key), 409);
        assertThat(api.get(chunks + "?asOf=" + beforeDelete, key).json().get("version").asInt())
                .as("the past stays readable").isEqualTo(2);
    }

    private List<JsonNode> pages(String key, String path) {
        List<JsonNode> all = new ArrayList<>();
        JsonNode page = api.get(path, key).json();
        page.get("chunks").forEach(all::add);
        while (page.hasNonNull("nextCursor")) {
            page = api.get(path + "&cursor=" + page.get("nextCursor").asText(), key).json();
            page.get("chunks").forEach(all::add);
        }
        return all;
    }

    private static String guide(String subject) {
        StringBuilder text = new StringBuilder("# " + subject + "\n\n");
        for (int section = 0; section < 12; section++) {
            text.append("## ").append(subject).append(" part ").append(section).append("\n\n");
            for (int paragraph = 0; paragraph < 4; paragraph++) {
                text.append(subject).append(" section ").append(section).append(" paragraph ").append(paragraph)
                        .append(": the water rises and falls with the pull of the moon and the sun, twice a day, ")
                        .append("more at spring tides and less at neap tides, as sailors have long known.\n\n");
            }
        }
        return text.toString();
    }
}
