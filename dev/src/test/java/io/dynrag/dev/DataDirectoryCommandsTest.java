package io.dynrag.dev;

import io.dynrag.app.config.Settings;
import io.dynrag.app.e2e.ApiClient;
import io.dynrag.app.e2e.Corpus;
import io.dynrag.app.replay.ReplayCommand;
import io.dynrag.app.verify.VerifyCommand;
import io.dynrag.embedded.FreePorts;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.function.ToIntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * In the dev launcher, {@code verify} and {@code replay} with no servers configured open the dev
 * data directory's servers while {@code dev} is stopped, and find what {@code dev} stored there.
 */
@Tag("e2e")
class DataDirectoryCommandsTest {

    @Test
    void verifyAndReplayReadWhatDevStoredInTheDataDirectory(@TempDir Path dataDir) {
        Settings settings = Settings.from(Map.of("DYNRAG_DATA_DIR", dataDir.toString(), "DYNRAG_HTTP_PORT", "0", "DYNRAG_MANAGEMENT_PORT", "0",
                "DYNRAG_KAFKA_PARTITIONS", "1", "DYNRAG_KAFKA_PORT", Integer.toString(FreePorts.pick())));
        String customerId;
        try (DevMode dev = DevMode.start(settings)) {
            ApiClient api = new ApiClient(dev.httpPort());
            await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/health", null).status() == 200);
            ApiClient.Response customer = api.postJson("/v1/admin/customers", dev.adminToken(),
                    "{\"name\": \"Acme\"}");
            assertThat(customer.status()).as(customer.body()).isEqualTo(201);
            customerId = customer.json().get("customerId").asText();
            String apiKey = customer.json().get("apiKey").asText();
            ApiClient.Response upload = api.upload(apiKey, "file", "lighthouses.md",
                    Corpus.lighthouseGuide().getBytes(StandardCharsets.UTF_8), null);
            assertThat(upload.status()).as(upload.body()).isEqualTo(202);
            // Both read models have taken in the indexing before dev stops, so a rebuild must equal them.
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            await().atMost(Duration.ofSeconds(90)).until(() -> api.get("/v1/usage?from=" + today.minusDays(1)
                    + "&to=" + today, apiKey).json().path("total").path("documentsIndexed").asLong() == 1);
        }

        Run verified = run(out -> VerifyCommand.run(settings, DevMain.LAUNCHER.localServers(),
                new String[]{"--customer", customerId}, out));
        assertThat(verified.status()).as(verified.output()).isZero();
        assertThat(verified.output()).contains("Verified customer " + customerId + ": 1 documents");

        Run replayed = run(out -> ReplayCommand.run(settings, DevMain.LAUNCHER.localServers(),
                new String[]{"all"}, out));
        assertThat(replayed.status()).as(replayed.output()).isZero();
        assertThat(replayed.output()).contains("Replayed 'documents'", "Replayed 'usage'")
                .doesNotContain("DIFFERENT");
    }

    private record Run(int status, String output) {
    }

    private static Run run(ToIntFunction<PrintStream> command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = command.applyAsInt(new PrintStream(out, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8));
    }
}
