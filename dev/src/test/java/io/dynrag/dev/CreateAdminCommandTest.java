package io.dynrag.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.app.admin.CreateAdminCommand;
import io.dynrag.app.config.InvalidSettingException;
import io.dynrag.app.config.Settings;
import io.dynrag.app.infra.LocalServers;
import io.dynrag.embedded.FreePorts;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code dynrag admin create-admin} on a dev data directory, then signing in to the started system. */
@Tag("e2e")
class CreateAdminCommandTest {

    private final Optional<LocalServers> dataDirectory = DevMain.LAUNCHER.localServers();

    @Test
    void createsTheFirstAdminWhoCanThenSignIn(@TempDir Path dataDir) throws Exception {
        Settings settings = Settings.from(Map.of("DYNRAG_DATA_DIR", dataDir.toString(), "DYNRAG_HTTP_PORT", "0", "DYNRAG_MANAGEMENT_PORT", "0",
                "DYNRAG_KAFKA_PARTITIONS", "1", "DYNRAG_KAFKA_PORT", Integer.toString(FreePorts.pick())));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CreateAdminCommand.run(settings, dataDirectory, "Ops@Example.com", "a long enough admin password",
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Created admin ops@example.com");

        assertThatThrownBy(() -> CreateAdminCommand.run(settings, dataDirectory, "ops@example.com",
                "another long password", new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("already exists");
        assertThatThrownBy(() -> CreateAdminCommand.run(settings, dataDirectory, "second@example.com", "short",
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("12");

        try (DevMode dev = DevMode.start(settings)) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + dev.httpPort();
            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/auth/login"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"email\": \"ops@example.com\", \"password\": \"a long enough admin password\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
            String token = new ObjectMapper().readTree(login.body()).get("accessToken").asText();

            HttpResponse<String> customers = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/admin/customers"))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(customers.statusCode()).as(customers.body()).isEqualTo(200);
        }
    }
}
