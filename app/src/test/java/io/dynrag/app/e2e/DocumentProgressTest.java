package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Watching a document go through the pipeline as Server-Sent Events. */
@Tag("e2e")
class DocumentProgressTest {

    private TestSystem system;
    private ApiClient api;

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
        api = system.api();
    }

    @Test
    void statusChangesAndEmbeddingProgressStreamUntilTheDocumentIsIndexed() throws Exception {
        String key = system.registerCustomer("Watcher");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 150; i++) {
            text.append("Paragraph ").append(i).append(" describes how the river delta number ").append(i * 17 % 101)
                    .append(" shifted its channels after the spring flood, moving silt, sand and clay across the ")
                    .append("plain and changing where farmers could plant rice and vegetables that year.\n\n");
        }
        ApiClient.Response accepted = api.upload(key, "file", "delta.txt", text.toString().getBytes(StandardCharsets.UTF_8),
                null);
        String documentId = accepted.json().get("documentId").asText();

        List<DocumentEventStream.Event> events = DocumentEventStream.open(base(), key, documentId).untilEnd();

        assertThat(events).isNotEmpty();
        assertThat(events.getLast().name()).isEqualTo("status");
        assertThat(events.getLast().data().get("status").asText()).isEqualTo("INDEXED");
        List<String> statuses = events.stream().filter(e -> e.name().equals("status"))
                .map(e -> e.data().get("status").asText()).toList();
        assertThat(List.of("PENDING", "PROCESSING", "INDEXED")).as("every status change once, in order")
                .containsSubsequence(statuses);
        List<JsonNode> progress = events.stream().filter(e -> e.name().equals("progress"))
                .map(DocumentEventStream.Event::data).toList();
        assertThat(progress).as("progress while embedding").anySatisfy(p -> {
            assertThat(p.get("stage").asText()).isEqualTo("embed");
            assertThat(p.get("chunksTotal").asInt()).isGreaterThan(10);
        });
        int previous = -1;
        for (JsonNode p : progress) {
            if (p.get("stage").asText().equals("embed")) {
                assertThat(p.get("chunksEmbedded").asInt()).isGreaterThanOrEqualTo(previous);
                previous = p.get("chunksEmbedded").asInt();
            }
        }
    }

    @Test
    void theStreamRefusesBadRequestsWithProblems() throws Exception {
        String owner = system.registerCustomer("Stream Owner");
        String stranger = system.registerCustomer("Stream Stranger");
        String documentId = api.upload(owner, "file", "a.txt", "Short.".getBytes(StandardCharsets.UTF_8), null)
                .json().get("documentId").asText();

        TestSystem.assertProblem(api.get("/v1/documents/" + documentId + "/events", owner), 406);
        assertThat(open(stranger, documentId)).isEqualTo(404);
        assertThat(open(null, documentId)).isEqualTo(401);
        assertThat(open(owner, UUID.randomUUID().toString())).isEqualTo(404);
    }

    private int open(String key, String documentId) {
        HttpResponse<InputStream> response = DocumentEventStream.request(base(), key, documentId);
        DocumentEventStream.body(response);
        return response.statusCode();
    }

    private String base() {
        return api.baseUrl();
    }
}
