package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.pipeline.embedding.openai.FakeOpenAiServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A customer that embeds with its own OpenAI key: the pipeline and search call a server speaking
 * OpenAI's wire format (the only stand-in in these tests: the real one is a paid external API).
 */
@Tag("e2e")
class ProviderEmbeddingTest {

    private static final String PROVIDER_KEY = "sk-test-0123456789abcdef";

    private TestSystem system;
    private ApiClient api;
    private FakeOpenAiServer openAi;

    @BeforeEach
    void start() throws IOException {
        system = TestSystem.shared();
        api = system.api();
        openAi = FakeOpenAiServer.start(PROVIDER_KEY, 1536);
    }

    @AfterEach
    void stop() {
        openAi.close();
    }

    @Test
    void documentsAreEmbeddedAndSearchedWithTheCustomersProviderAndKey() {
        String[] customer = system.registerCustomerWithId("Uses OpenAI");
        String key = customer[1];
        assertThat(api.putJson("/v1/customer/provider-key", key, "{\"provider\": \"openai\", \"apiKey\": \""
                + PROVIDER_KEY + "\", \"baseUrl\": \"" + openAi.baseUrl() + "\"}").status()).isEqualTo(200);
        ApiClient.Response configured = api.putJson("/v1/customer/config", key,
                "{\"embeddingModel\": \"text-embedding-3-small\", \"chunkTokens\": 400}");
        assertThat(configured.status()).as(configured.body()).isEqualTo(200);
        openAi.script(FakeOpenAiServer.Reply.serverError(500), FakeOpenAiServer.Reply.rateLimited());

        String text = "Glass is made by melting sand, soda ash and limestone at about 1700 degrees Celsius.";
        ApiClient.Response accepted = api.upload(key, "file", "glass.txt", text.getBytes(StandardCharsets.UTF_8), null);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        JsonNode indexed = system.awaitStatus(key, accepted.json().get("documentId").asText(), "INDEXED");
        assertThat(indexed.get("model").asText()).isEqualTo("text-embedding-3-small");
        assertThat(openAi.requestCount()).as("a 500 and a 429 were retried").isGreaterThanOrEqualTo(3);
        assertThat(Files.isDirectory(system.lanceRoot().resolve(customer[0]).resolve("chunks-text-embedding-3-small.lance")))
                .isTrue();

        JsonNode hits = system.search(key, text, 3);
        assertThat(hits).isNotEmpty();
        assertThat(hits.get(0).get("documentId").asText()).isEqualTo(accepted.json().get("documentId").asText());
        assertThat(hits.get(0).get("vectorScore").asDouble()).as("the same text embeds to the same vector").isGreaterThan(0.99);
    }

    @Test
    void aRejectedKeyFailsTheDocumentWithTheProvidersReasonAndNoRetryStorm() {
        String key = system.registerCustomer("Wrong Key Co");
        api.putJson("/v1/customer/provider-key", key, "{\"provider\": \"openai\", \"apiKey\": \"sk-wrong-key-123456\","
                + " \"baseUrl\": \"" + openAi.baseUrl() + "\"}");
        assertThat(api.putJson("/v1/customer/config", key, "{\"embeddingModel\": \"text-embedding-3-small\"}").status())
                .isEqualTo(200);

        ApiClient.Response accepted = api.upload(key, "file", "a.txt", "Some text.".getBytes(StandardCharsets.UTF_8), null);
        JsonNode failed = system.awaitStatus(key, accepted.json().get("documentId").asText(), "FAILED");
        assertThat(failed.get("failureReason").asText()).contains("401").doesNotContain("sk-wrong-key-123456");
        assertThat(openAi.requestCount()).as("authentication failures are not retried").isEqualTo(1);
    }

    @Test
    void aProviderModelNeedsAKeyFirst() {
        String key = system.registerCustomer("No Key Yet");
        TestSystem.assertProblem(api.putJson("/v1/customer/config", key,
                "{\"embeddingModel\": \"text-embedding-3-small\"}"), 400);
    }

    @Test
    void aBaseUrlIntoTheInternalNetworkIsRefusedSoTheKeyNeverGoesThere() {
        String key = system.registerCustomer("Curious Co");
        for (String internal : new String[]{"http://169.254.169.254", "http://127.0.0.2:8080", "http://10.0.0.1",
                "http://[::1]:9000"}) {
            TestSystem.assertProblem(api.putJson("/v1/customer/provider-key", key, "{\"provider\": \"openai\","
                    + " \"apiKey\": \"" + PROVIDER_KEY + "\", \"baseUrl\": \"" + internal + "\"}"), 422);
        }
        assertThat(api.get("/v1/customer/config", key).json().path("providerKey").isNull()).isTrue();
    }
}
