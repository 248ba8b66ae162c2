package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Watching a document go through the pipeline as Server-Sent Events. */
class DocumentProgressTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TestSystem system;
    private ApiClient api;

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
        api = system.api();
    }

    record Event(String name, JsonNode data) {
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

        List<Event> events = stream(key, documentId);

        assertThat(events).isNotEmpty();
        assertThat(events.getLast().name()).isEqualTo("status");
        assertThat(events.getLast().data().get("status").asText()).isEqualTo("INDEXED");
        List<JsonNode> progress = events.stream().filter(e -> e.name().equals("progress")).map(Event::data).toList();
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
        assertThat(open(stranger, documentId).statusCode()).isEqualTo(404);
        assertThat(open(null, documentId).statusCode()).isEqualTo(401);
        assertThat(open(owner, UUID.randomUUID().toString()).statusCode()).isEqualTo(404);
    }

    private HttpResponse<InputStream> open(String key, String documentId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + "/v1/documents/" + documentId
                + "/events")).header("Accept", "text/event-stream").timeout(Duration.ofSeconds(120));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HttpClient.newHttpClient().send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private List<Event> stream(String key, String documentId) throws Exception {
        HttpResponse<InputStream> response = open(key, documentId);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<Event> events = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String name = null;
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:") && name != null) {
                    events.add(new Event(name, JSON.readTree(line.substring(5).strip())));
                    name = null;
                }
            }
        }
        return events;
    }

    private String base() {
        return api.baseUrl();
    }
}
