package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.app.roles.Role;
import io.dynrag.embedded.FreePorts;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The API role in a process of its own, with a data directory of its own, and the pipeline in
 * another (this JVM): documents uploaded through the API process are written by the pipeline, and
 * the API process's searches find them as soon as they are committed, because every search checks
 * the dataset's latest version. With the datasets on the S3 API server the two processes share no
 * disk at all. Prints the time from each upload until the API process's search found it.
 */
@Tag("fault")
class StatelessRolesTest {

    private static final int DOCUMENTS = 8;

    @ParameterizedTest(name = "Lance root {0}")
    @ValueSource(strings = {"local directory", "s3://dynrag-lance/datasets"})
    void anApiProcessFindsWhatAPipelineProcessWrote(String lanceRoot) throws Exception {
        Map<String, String> lance = lanceRoot.startsWith("s3://") ? Map.of("DYNRAG_LANCE_ROOT", lanceRoot) : Map.of();
        try (ProcessSystem system = new ProcessSystem(2)) {
            system.startInThisJvm(EnumSet.of(Role.PIPELINE, Role.PROJECTIONS), lance);
            int port = FreePorts.pick();
            Map<String, String> apiSettings = new java.util.HashMap<>(lance);
            apiSettings.put("DYNRAG_HTTP_PORT", Integer.toString(port));
            ProcessSystem.RoleProcess apiProcess = system.startProcess("api", "api", apiSettings);
            ApiClient api = new ApiClient(port);
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                    .alias("the API process serves (log " + apiProcess.log() + ")")
                    .until(() -> api.get("/health", null).status() == 200);
            String key = ProcessSystem.registerCustomer(api, "Stateless Roles")[1];

            long[] millis = new long[DOCUMENTS];
            for (int d = 0; d < DOCUMENTS; d++) {
                byte[] content = ("# Note " + d + "\n\nThe keeper logged storm number " + d
                        + " before the lamp was lit.\n").getBytes(StandardCharsets.UTF_8);
                long started = System.nanoTime();
                ApiClient.Response uploaded = api.upload(key, "file", "note-" + d + ".md", content, null);
                assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(202);
                String documentId = uploaded.json().get("documentId").asText();
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(10))
                        .alias("document " + d + " found by the API process's search")
                        .until(() -> found(api, key, documentId));
                millis[d] = (System.nanoTime() - started) / 1_000_000;
            }
            Arrays.sort(millis);
            System.out.printf("Time to searchable across processes, Lance root %s: %d uploads, median %d ms,"
                    + " max %d ms%n", lanceRoot, DOCUMENTS, millis[DOCUMENTS / 2], millis[DOCUMENTS - 1]);
        }
    }

    private static boolean found(ApiClient api, String key, String documentId) {
        ApiClient.Response search = api.postJson("/v1/search", key, Json.object("query", "storm keeper", "topK", 50));
        assertThat(search.status()).as(search.body()).isEqualTo(200);
        for (JsonNode result : search.json().get("results")) {
            if (result.get("documentId").asText().equals(documentId)) {
                return true;
            }
        }
        return false;
    }
}
