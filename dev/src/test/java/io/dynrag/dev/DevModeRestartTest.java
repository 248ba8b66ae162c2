package io.dynrag.dev;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.app.config.Settings;
import io.dynrag.app.e2e.ApiClient;
import io.dynrag.app.e2e.Corpus;
import io.dynrag.embedded.FreePorts;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code dynrag dev} keeps everything in its data directory: a second start finds all of it. */
@Tag("e2e")
class DevModeRestartTest {

    @Test
    void aSecondStartFindsTheCustomerTheDocumentAndItsIndex(@TempDir Path dataDir) throws Exception {
        Settings settings = Settings.from(Map.of("DYNRAG_DATA_DIR", dataDir.toString(), "DYNRAG_HTTP_PORT", "0", "DYNRAG_MANAGEMENT_PORT", "0",
                "DYNRAG_KAFKA_PARTITIONS", "2", "DYNRAG_KAFKA_PORT", Integer.toString(FreePorts.pick())));
        String adminToken;
        String apiKey;
        String documentId;
        try (DevMode dev = DevMode.start(settings)) {
            adminToken = dev.adminToken();
            assertThat(Files.readString(dataDir.resolve("admin-token")).strip()).isEqualTo(adminToken);
            ApiClient api = new ApiClient(dev.httpPort());
            await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/health", null).status() == 200);

            ApiClient.Response customer = api.postJson("/v1/admin/customers", adminToken, "{\"name\": \"Acme\"}");
            assertThat(customer.status()).as(customer.body()).isEqualTo(201);
            apiKey = customer.json().get("apiKey").asText();
            ApiClient.Response upload = api.upload(apiKey, "file", "lighthouses.md",
                    Corpus.lighthouseGuide().getBytes(StandardCharsets.UTF_8), null);
            assertThat(upload.status()).as(upload.body()).isEqualTo(202);
            documentId = upload.json().get("documentId").asText();
            await().atMost(Duration.ofSeconds(90)).until(() ->
                    "INDEXED".equals(api.get("/v1/documents/" + documentId, apiKey).json().path("status").asText()));
        }

        try (DevMode again = DevMode.start(settings)) {
            assertThat(again.adminToken()).isEqualTo(adminToken);
            ApiClient api = new ApiClient(again.httpPort());
            await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/health", null).status() == 200);

            JsonNode document = api.get("/v1/documents/" + documentId, apiKey).json();
            assertThat(document.get("status").asText()).isEqualTo("INDEXED");
            ApiClient.Response search = api.postJson("/v1/search", apiKey,
                    "{\"query\": \"fog signal for ships\", \"topK\": 1}");
            assertThat(search.status()).as(search.body()).isEqualTo(200);
            assertThat(search.json().get("results").get(0).get("documentId").asText()).isEqualTo(documentId);

            ApiClient.Response second = api.upload(apiKey, "file", "recipes.txt",
                    Corpus.recipes().getBytes(StandardCharsets.UTF_8), null);
            assertThat(second.status()).isEqualTo(202);
            String secondId = second.json().get("documentId").asText();
            await().atMost(Duration.ofSeconds(90)).until(() ->
                    "INDEXED".equals(api.get("/v1/documents/" + secondId, apiKey).json().path("status").asText()));
        }
    }
}
