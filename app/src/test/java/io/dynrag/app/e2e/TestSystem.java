package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.app.config.Settings;
import io.dynrag.app.infra.Infra;
import io.dynrag.app.infra.Infrastructure;
import io.dynrag.app.infra.S3Clients;
import io.dynrag.app.roles.Role;
import io.dynrag.app.roles.RunningRoles;
import io.dynrag.platform.crypto.KeyEncryption;
import io.dynrag.platform.crypto.KeyEncryptionKeys;
import io.dynrag.schemas.connection.KafkaConnection;
import io.dynrag.vectorstore.LanceLocation;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

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
    /** Prices far above the real ones, so that a short document costs cents and budgets can be tested. */
    static final BigDecimal LOCAL_MODEL_USD_PER_MILLION_TOKENS = new BigDecimal("1000");
    static final BigDecimal PROVIDER_MODEL_USD_PER_MILLION_TOKENS = new BigDecimal("20");
    /** Long enough for the password policy; every account the tests sign up uses it. */
    static final String PASSWORD = "a perfectly long passphrase";
    /** The one address whose X-Forwarded-For the system believes, as it would a reverse proxy's. */
    static final String TRUSTED_PROXY = "127.0.0.1";
    /** The one origin whose web pages may call the API (CORS). */
    static final String BROWSER_ORIGIN = "https://app.example.test";
    static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    /** Access tokens live 15 minutes; a cached admin token is renewed well before. */
    private static final Duration ADMIN_TOKEN_REUSE = Duration.ofMinutes(5);
    private static final AtomicInteger LOOPBACK_ADDRESSES = new AtomicInteger();

    private static TestSystem shared;

    private final Infra infra;
    /** The settings' environment, from which another API instance can be started with some changed. */
    private final Map<String, String> environment;
    private final Infrastructure infrastructure;
    private final RunningRoles roles;
    private final ApiClient api;
    private final Path dataDir;
    private String adminToken;
    private Instant adminTokenIssuedAt = Instant.MIN;

    private TestSystem(Infra infra, Map<String, String> environment, Infrastructure infrastructure,
                       RunningRoles roles, Path dataDir) {
        this.infra = infra;
        this.environment = Map.copyOf(environment);
        this.infrastructure = infrastructure;
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
        return start(infra, Map.of());
    }

    /** @param overrides settings that differ from the shared system's */
    static TestSystem start(Infra infra, Map<String, String> overrides) {
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("dynrag-e2e");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = new HashMap<>();
        env.put("DYNRAG_DATA_DIR", dataDir.toString());
        env.put("DYNRAG_HTTP_PORT", "0");
        env.put("DYNRAG_MANAGEMENT_PORT", "0");
        env.put("DYNRAG_ADMIN_TOKEN", OPERATOR_TOKEN);
        env.put("DYNRAG_MAX_UPLOAD_BYTES", "200000");
        env.put("DYNRAG_KAFKA_PARTITIONS", "3");
        env.put("DYNRAG_CHUNK_TOKENS", "120");
        env.put("DYNRAG_EMBEDDING_PRICES", "all-minilm-l6-v2=" + LOCAL_MODEL_USD_PER_MILLION_TOKENS.toPlainString()
                + ",text-embedding-3-small=" + PROVIDER_MODEL_USD_PER_MILLION_TOKENS.toPlainString());
        env.put("DYNRAG_KEY_ENCRYPTION_KEYS", KeyEncryptionKeys.generate("test").format());
        env.put("DYNRAG_BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL);
        env.put("DYNRAG_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
        // Local test servers stand in for web pages and the embedding provider.
        env.put("DYNRAG_URL_ALLOWLIST", "127.0.0.1");
        // 127.0.0.1 stands in for a reverse proxy; the addresses of apiFromNewAddress() are clients of their own.
        env.put("DYNRAG_TRUSTED_PROXIES", TRUSTED_PROXY);
        env.put("DYNRAG_CORS_ORIGINS", BROWSER_ORIGIN);
        // Webhook retries within seconds, and an endpoint that fails everything for ten seconds is disabled.
        env.put("DYNRAG_WEBHOOK_FIRST_RETRY_SECONDS", "1");
        env.put("DYNRAG_WEBHOOK_RETRY_WINDOW_SECONDS", "10");
        // Tests poll and upload far faster than a customer would; the rate-limit tests set their own limits.
        // A default may not exceed its ceiling, so the ceilings are raised with the defaults.
        env.put("DYNRAG_DEFAULT_REQUESTS_PER_MINUTE", "1000000");
        env.put("DYNRAG_DEFAULT_REQUESTS_PER_DAY", "1000000000");
        env.put("DYNRAG_CEILING_REQUESTS_PER_MINUTE", "1000000");
        env.put("DYNRAG_CEILING_REQUESTS_PER_DAY", "1000000000");
        env.putAll(overrides);
        Settings settings = Settings.from(env);
        Infrastructure infrastructure = new Infrastructure(KafkaConnection.to(infra.kafkaBootstrapServers()),
                infra.jdbcUrl(), infra.jdbcUser(), infra.jdbcPassword(), infra.s3(),
                LanceLocation.local(dataDir.resolve("lance")));
        RunningRoles roles = RunningRoles.start(EnumSet.allOf(Role.class), settings, infrastructure);
        TestSystem system = new TestSystem(infra, env, infrastructure, roles, dataDir);
        await().atMost(Duration.ofSeconds(60)).until(() -> system.api.get("/health", null).status() == 200);
        return system;
    }

    ApiClient api() {
        return api;
    }

    /**
     * A second API instance, the API role alone, on the same servers and database as this system: what
     * another replica behind a load balancer would be. The caller closes it.
     */
    RunningRoles startAnotherApi() {
        return startAnotherApi(Map.of());
    }

    /** As {@link #startAnotherApi()}, with these settings ({@code DYNRAG_*} variables) changed. */
    RunningRoles startAnotherApi(Map<String, String> changedSettings) {
        Map<String, String> env = new HashMap<>(environment);
        env.putAll(changedSettings);
        RunningRoles another = RunningRoles.start(EnumSet.of(Role.API), Settings.from(env), infrastructure);
        ApiClient client = new ApiClient(another.httpPort());
        await().atMost(Duration.ofSeconds(60)).until(() -> client.get("/health", null).status() == 200);
        return another;
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

    /** A customer that signed up, with the tokens of its first sign-in. */
    record Account(String customerId, String userId, String email, String company, String accessToken,
                   String refreshToken) {
    }

    /** An API key as created: its id and the secret shown once. */
    record IssuedKey(String keyId, String secret) {
    }

    /** An email address no other test uses, so every test can sign up customers of its own. */
    static String uniqueEmail(String label) {
        return label + "-" + UUID.randomUUID() + "@example.test";
    }

    /**
     * Signs a new customer up through {@code POST /v1/auth/signup} with {@link #PASSWORD}, then signs its user in.
     * Each from an address of its own, as sign-ups are throttled per client address.
     */
    Account signUp(String company) {
        String label = company.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        String email = uniqueEmail(label.substring(0, Math.min(label.length(), 20)));
        ApiClient client = apiFromNewAddress();
        ApiClient.Response accepted = client.postJson("/v1/auth/signup", null, Json.object(
                "email", email, "password", PASSWORD, "company", company));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        ApiClient.Response signedIn = client.postJson("/v1/auth/login", null,
                Json.object("email", email, "password", PASSWORD));
        assertThat(signedIn.status()).as(signedIn.body()).isEqualTo(200);
        JsonNode body = signedIn.json();
        return new Account(body.get("customerId").asText(), body.get("userId").asText(), email, company,
                body.get("accessToken").asText(), body.get("refreshToken").asText());
    }

    /** Creates an API key with the given scopes, as {@code credential}: a signed-in user or an admin-scoped key. */
    IssuedKey createApiKey(String credential, String... scopes) {
        ApiClient.Response created = api.postJson("/v1/api-keys", credential,
                Json.object("name", "key for " + String.join("+", scopes), "scopes", List.of(scopes)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return new IssuedKey(created.json().get("keyId").asText(), created.json().get("apiKey").asText());
    }

    /** An access token of the bootstrap admin account, signed in once and reused for a few minutes. */
    synchronized String adminAccessToken() {
        if (Instant.now().isAfter(adminTokenIssuedAt.plus(ADMIN_TOKEN_REUSE))) {
            ApiClient.Response login = api.postJson("/v1/auth/login", null,
                    Json.object("email", ADMIN_EMAIL, "password", ADMIN_PASSWORD));
            assertThat(login.status()).as(login.body()).isEqualTo(200);
            adminToken = login.json().get("accessToken").asText();
            adminTokenIssuedAt = Instant.now();
        }
        return adminToken;
    }

    /**
     * A client on a loopback address of its own. Failed sign-ins are throttled per client address
     * as well as per email, so tests that fail on purpose use one and do not lock the others out.
     */
    ApiClient apiFromNewAddress() {
        int n = LOOPBACK_ADDRESSES.incrementAndGet();
        try {
            return api.from(InetAddress.getByAddress(new byte[]{127, 1, (byte) (n / 250), (byte) (n % 250 + 1)}));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The answers kept under {@code idempotencyKey}, opened with the key-encryption key as the API opens them
     * (status, headers and body in their stored form, read as ISO-8859-1 so every byte is a character).
     */
    List<String> keptAnswers(String idempotencyKey) {
        KeyEncryption sealing = new KeyEncryption(KeyEncryptionKeys.parse(environment.get("DYNRAG_KEY_ENCRYPTION_KEYS")));
        return database().rows("""
                SELECT scope, response FROM command.idempotency_record
                 WHERE idempotency_key = ? AND response IS NOT NULL""", idempotencyKey).stream()
                .map(row -> new String(sealing.open((byte[]) row.get("response"),
                        "idempotency:" + row.get("scope") + ":" + idempotencyKey), StandardCharsets.ISO_8859_1))
                .toList();
    }

    Database database() {
        return new Database(infra.jdbcUrl(), infra.jdbcUser(), infra.jdbcPassword());
    }

    /** Keys of the stored objects under {@code prefix}, sorted. */
    List<String> objectKeys(String prefix) {
        List<String> keys = new ArrayList<>();
        try (S3Client s3 = S3Clients.create(infra.s3())) {
            s3.listObjectsV2Paginator(b -> b.bucket(infra.s3().bucket()).prefix(prefix))
                    .contents().forEach(object -> keys.add(object.key()));
        }
        return keys.stream().sorted().toList();
    }

    /** Every record on the topic so far (up to its end offsets when called), read without a consumer group. */
    List<ConsumerRecord<String, byte[]>> topicRecords(String topic) {
        try (var consumer = new KafkaConsumer<String, byte[]>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
            return records;
        }
    }

    /** Uploads a new document, which must be accepted; returns its id. */
    String uploadDocument(String credential, String filename, String text) {
        return uploadDocument(credential, filename, text.getBytes(StandardCharsets.UTF_8));
    }

    String uploadDocument(String credential, String filename, byte[] content) {
        ApiClient.Response response = api.upload(credential, "file", filename, content, null);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("documentId").asText();
    }

    /** Uploads a new version of a document, which must be accepted; returns its number. */
    int uploadVersion(String credential, String documentId, String filename, String text) {
        ApiClient.Response response = api.uploadTo("/v1/documents/" + documentId + "/versions",
                ApiClient.bearer(credential), "file", filename, text.getBytes(StandardCharsets.UTF_8), null);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("version").asInt();
    }

    void awaitVersionIndexed(String credential, String documentId, int version) {
        await().atMost(INDEXING_TIMEOUT).until(() -> api.get("/v1/documents/" + documentId, credential).json(),
                view -> view.get("version").asInt() == version && "INDEXED".equals(view.get("status").asText()));
    }

    JsonNode awaitStatus(String credential, String documentId, String status) {
        return awaitStatus(credential, documentId, status, INDEXING_TIMEOUT);
    }

    JsonNode awaitStatus(String credential, String documentId, String status, Duration timeout) {
        JsonNode[] last = {null};
        await().atMost(timeout).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
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
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("io.dynrag");
    }

    @Override
    public void close() {
        roles.close();
        infra.close();
    }
}
