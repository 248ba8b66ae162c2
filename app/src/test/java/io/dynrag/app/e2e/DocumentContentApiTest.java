package io.dynrag.app.e2e;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /v1/documents/{id}/content}: the bytes of each version as uploaded, over HTTP. */
@Tag("e2e")
class DocumentContentApiTest {

    private TestSystem system;
    private ApiClient api;

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
        api = system.api();
    }

    @Test
    void eachVersionsBytesWithTheirTypeAndNoOneElses() throws Exception {
        String key = system.registerCustomer("Content Ltd");
        String stranger = system.registerCustomer("Content Stranger Ltd");
        String first = "# Tides\n\nThe moon pulls the ocean.\n";
        String documentId = system.uploadDocument(key, "tides.md", first);
        Instant betweenVersions = Instant.now();
        Thread.sleep(5);
        String second = "# Tides\n\nThe moon and the sun pull the ocean.\n";
        ApiClient.Response added = api.uploadTo("/v1/documents/" + documentId + "/versions", ApiClient.bearer(key),
                "file", "tides.md", second.getBytes(StandardCharsets.UTF_8), null);
        assertThat(added.status()).as(added.body()).isEqualTo(202);
        String content = "/v1/documents/" + documentId + "/content";

        ApiClient.Response latest = api.get(content, key);
        assertThat(latest.status()).isEqualTo(200);
        assertThat(latest.contentType()).startsWith("text/markdown");
        assertThat(latest.body()).isEqualTo(second);
        assertThat(latest.headers().firstValue("X-Document-Version")).hasValue("2");
        assertThat(api.get(content + "?version=1", key).body()).isEqualTo(first);
        assertThat(api.get(content + "?asOf=" + betweenVersions, key).body()).isEqualTo(first);

        for (Map.Entry<String, Integer> refused : Map.of("?version=3", 404, "?version=zero", 400,
                "?version=1&asOf=" + Instant.now(), 400, "?asOf=2000-01-01T00:00:00Z", 404).entrySet()) {
            TestSystem.assertProblem(api.outsideContract().get(content + refused.getKey(), key), refused.getValue());
        }
        TestSystem.assertProblem(api.get(content, stranger), 404);
        assertThat(api.delete("/v1/documents/" + documentId, key).status()).isEqualTo(202);
        TestSystem.assertProblem(api.get(content, key), 409);
    }
}
