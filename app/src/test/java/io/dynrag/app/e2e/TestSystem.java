package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.api.crypto.KeyEncryptionKeys;
import io.dynrag.app.config.Settings;
import io.dynrag.app.infra.Infra;
import io.dynrag.app.infra.Infrastructure;
import io.dynrag.app.roles.Role;
import io.dynrag.app.roles.RunningRoles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole system, every role on real servers, as the end-to-end tests drive it. One instance is
 * shared by all test classes of a run ({@link #shared()}): starting it costs seconds, and the
 * tests keep out of each other's way by creating their own customers.
 */
final class TestSystem implements AutoCloseable {

    static final String OPERATOR_TOKEN = "test-operator-token";
    static final String ADMIN_EMAIL = "root@dynrag.test";
    static final String ADMIN_PASSWORD = "correct horse battery staple";
    static final Duration INDEXING_TIMEOUT = Duration.ofSeconds(90);

    private static TestSystem shared;

    private final Infra infra;
    private final RunningRoles roles;
    private final ApiClient api;
    private final Path dataDir;

    private TestSystem(Infra infra, RunningRoles roles, Path dataDir) {
        this.infra = infra;
        this.roles = roles;
        this.api = new ApiClient(roles.httpPort());
        this.dataDir = dataDir;
    }

    /** The system on the servers chosen by {@code -Dinfra}, started once per test run. */
    static synchronized TestSystem shared() {
        if (shared == null) {
            shared = start(Infra.start());
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "test-system-stop"));
        }
        return shared;
    }

    static TestSystem start(Infra infra) {
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("dynrag-e2e");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = new HashMap<>();
        env.put("DYNRAG_DATA_DIR", dataDir.toString());
        env.put("DYNRAG_HTTP_PORT", "0");
        env.put("DYNRAG_ADMIN_TOKEN", OPERATOR_TOKEN);
        env.put("DYNRAG_MAX_UPLOAD_BYTES", "200000");
        env.put("DYNRAG_KAFKA_PARTITIONS", "3");
        env.put("DYNRAG_CHUNK_TOKENS", "120");
        env.put("DYNRAG_KEY_ENCRYPTION_KEYS", KeyEncryptionKeys.generate("test").format());
        env.put("DYNRAG_BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL);
        env.put("DYNRAG_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
        Settings settings = Settings.from(env);
        RunningRoles roles = RunningRoles.start(EnumSet.allOf(Role.class), settings, new Infrastructure(
                infra.kafkaBootstrapServers(), infra.jdbcUrl(), infra.jdbcUser(), infra.jdbcPassword(), infra.s3(),
                dataDir.resolve("lance")));
        TestSystem system = new TestSystem(infra, roles, dataDir);
        await().atMost(Duration.ofSeconds(60)).until(() -> system.api.get("/health", null).status() == 200);
        return system;
    }

    ApiClient api() {
        return api;
    }

    Infra infra() {
        return infra;
    }

    Path lanceRoot() {
        return dataDir.resolve("lance");
    }

    /** Creates a customer through the operator endpoint; returns its API key (every scope). */
    String registerCustomer(String name) {
        return registerCustomerWithId(name)[1];
    }

    /** @return the customer id and its API key */
    String[] registerCustomerWithId(String name) {
        ApiClient.Response created = api.postJson("/v1/admin/customers", OPERATOR_TOKEN,
                "{\"name\": \"" + name + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String key = created.json().get("apiKey").asText();
        assertThat(key).startsWith("drk_");
        return new String[]{created.json().get("customerId").asText(), key};
    }

    JsonNode awaitStatus(String credential, String documentId, String status) {
        JsonNode[] last = {null};
        await().atMost(INDEXING_TIMEOUT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            ApiClient.Response response = api.get("/v1/documents/" + documentId, credential);
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            last[0] = response.json();
            assertThat(last[0].get("status").asText()).as(response.body()).isEqualTo(status);
        });
        return last[0];
    }

    JsonNode search(String credential, String query, int topK) {
        ApiClient.Response response = api.postJson("/v1/search", credential,
                "{\"query\": \"" + query + "\", \"topK\": " + topK + "}");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("results");
    }

    static void assertProblem(ApiClient.Response response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).as(response.body()).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText()).isNotBlank();
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Override
    public void close() {
        roles.close();
        infra.close();
    }
}
