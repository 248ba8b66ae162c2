package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.app.config.Settings;
import io.dynrag.app.infra.Infra;
import io.dynrag.app.infra.Infrastructure;
import io.dynrag.app.infra.S3Clients;
import io.dynrag.app.roles.Role;
import io.dynrag.app.roles.RunningRoles;
import io.dynrag.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One document through every real component: HTTP, the Axon event store on PostgreSQL,
 * Kafka, the ingestion topology, the object store, the embedding model, Lance, the
 * documents projection, and back out through search. Subclasses choose the servers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WalkingSkeletonScenario {

    private static final String ADMIN_TOKEN = "test-admin-token";
    private static final Duration INDEXING_TIMEOUT = Duration.ofSeconds(90);

    private Infra infra;
    private RunningRoles roles;
    private ApiClient api;

    protected abstract Infra startInfra();

    @BeforeAll
    void startSystem(@TempDir Path dataDir) {
        infra = startInfra();
        Map<String, String> env = new HashMap<>();
        env.put("DYNRAG_DATA_DIR", dataDir.toString());
        env.put("DYNRAG_HTTP_PORT", "0");
        env.put("DYNRAG_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("DYNRAG_MAX_UPLOAD_BYTES", "200000");
        env.put("DYNRAG_KAFKA_PARTITIONS", "3");
        env.put("DYNRAG_CHUNK_TOKENS", "120");
        Settings settings = Settings.from(env);
        roles = RunningRoles.start(EnumSet.allOf(Role.class), settings, new Infrastructure(
                infra.kafkaBootstrapServers(), infra.jdbcUrl(), infra.jdbcUser(), infra.jdbcPassword(), infra.s3(),
                dataDir.resolve("lance")));
        api = new ApiClient(roles.httpPort());
        await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/health", null).status() == 200);
    }

    @AfterAll
    void stopSystem() {
        if (roles != null) {
            roles.close();
        }
        if (infra != null) {
            infra.close();
        }
    }

    @Test
    void anUploadedDocumentIsIndexedAndFoundOnlyByItsTenant() {
        String acme = registerCustomer("Acme Lighthouses");
        String globex = registerCustomer("Globex Kitchens");

        ApiClient.Response accepted = api.upload(acme, "file", "lighthouses.md",
                Corpus.lighthouseGuide().getBytes(StandardCharsets.UTF_8), "Lighthouse keeping");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String documentId = accepted.json().get("documentId").asText();
        assertThat(accepted.json().get("version").asInt()).isEqualTo(1);
        assertThat(accepted.json().get("status").asText()).isEqualTo("PENDING");

        ApiClient.Response other = api.upload(globex, "file", "recipes.txt",
                Corpus.recipes().getBytes(StandardCharsets.UTF_8), null);
        assertThat(other.status()).as(other.body()).isEqualTo(202);
        String otherId = other.json().get("documentId").asText();

        JsonNode indexed = awaitStatus(acme, documentId, "INDEXED");
        assertThat(indexed.get("title").asText()).isEqualTo("Lighthouse keeping");
        assertThat(indexed.get("chunks").asInt()).isGreaterThan(1);
        assertThat(indexed.get("tokens").asLong()).isGreaterThan(100);
        awaitStatus(globex, otherId, "INDEXED");

        JsonNode hits = search(acme, "how was the lamp kept burning through storms at night?", 5);
        assertThat(hits).isNotEmpty();
        assertThat(hits.get(0).get("documentId").asText()).isEqualTo(documentId);
        assertThat(hits.get(0).get("version").asInt()).isEqualTo(1);
        assertThat(hits.get(0).get("text").asText()).containsIgnoringCase("lamp");
        double previous = Double.MAX_VALUE;
        for (JsonNode hit : hits) {
            assertThat(hit.get("score").asDouble()).isLessThanOrEqualTo(previous);
            previous = hit.get("score").asDouble();
        }

        JsonNode othersHits = search(globex, "how was the lamp kept burning through storms at night?", 10);
        assertThat(othersHits).isNotEmpty();
        othersHits.forEach(hit -> assertThat(hit.get("documentId").asText()).isEqualTo(otherId));

        ApiClient.Response foreign = api.get("/v1/documents/" + documentId, globex);
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.contentType()).startsWith("application/problem+json");
    }

    @Test
    void aDocumentThatFailsInThePipelineIsFailedWithAReasonAndOthersStillIndex() {
        String customer = registerCustomer("Initech");
        ApiClient.Response blank = api.upload(customer, "file", "blank.txt",
                " \n\n   \n".getBytes(StandardCharsets.UTF_8), "Nothing in here");
        assertThat(blank.status()).as(blank.body()).isEqualTo(202);
        ApiClient.Response good = api.upload(customer, "file", "notes.txt",
                Corpus.recipes().getBytes(StandardCharsets.UTF_8), "Notes");
        assertThat(good.status()).as(good.body()).isEqualTo(202);

        JsonNode failed = awaitStatus(customer, blank.json().get("documentId").asText(), "FAILED");
        assertThat(failed.get("failureReason").asText()).contains("no text");
        awaitStatus(customer, good.json().get("documentId").asText(), "INDEXED");
    }

    @Test
    void badRequestsAreRefusedWithProblemsAndChangeNothing() throws Exception {
        String customer = registerCustomer("Hooli");
        Snapshot before = snapshot();

        assertProblem(api.upload(null, "file", "a.txt", bytes("hello"), null), 401);
        assertProblem(api.upload("drk_not-a-real-key", "file", "a.txt", bytes("hello"), null), 401);
        assertProblem(api.upload(ADMIN_TOKEN, "file", "a.txt", bytes("hello"), null), 403);
        assertProblem(api.upload(customer, "file", null, null, "no file part"), 400);
        assertProblem(api.upload(customer, "document", "a.txt", bytes("wrong field name"), null), 400);
        assertProblem(api.upload(customer, "file", "empty.txt", new byte[0], null), 400);
        assertProblem(api.upload(customer, "file", "report.pdf", bytes("%PDF-1.7 not supported yet"), null), 415);
        assertProblem(api.upload(customer, "file", "binary.txt", new byte[]{'a', 0, 'b'}, null), 415);
        assertProblem(api.upload(customer, "file", "latin1.txt", new byte[]{'c', 'a', 'f', (byte) 0xE9}, null), 415);
        assertProblem(api.upload(customer, "file", "huge.txt", "x".repeat(300_000).getBytes(StandardCharsets.UTF_8),
                null), 413);
        assertProblem(api.postRaw("/v1/documents", customer, "text/plain", bytes("just text")), 415);
        assertProblem(api.postJson("/v1/search", customer, "{\"query\": "), 400);
        assertProblem(api.postJson("/v1/search", customer, "{\"query\": \"x\", \"topk\": 3}"), 400);
        assertProblem(api.postJson("/v1/search", customer, "{\"query\": \"  \"}"), 400);
        assertProblem(api.postJson("/v1/search", customer, "{\"query\": \"x\", \"topK\": 0}"), 400);
        assertProblem(api.postJson("/v1/search", customer, "{\"query\": \"" + "word ".repeat(400) + "\"}"), 400);
        assertProblem(api.postJson("/v1/search", null, "{\"query\": \"x\"}"), 401);
        assertProblem(api.postJson("/v1/admin/customers", customer, "{\"name\": \"Mallory\"}"), 403);
        assertProblem(api.postJson("/v1/admin/customers", ADMIN_TOKEN, "{\"name\": \"\"}"), 400);
        assertProblem(api.postJson("/v1/admin/customers", ADMIN_TOKEN, "not json"), 400);
        assertProblem(api.get("/v1/documents/not-a-uuid", customer), 404);
        assertProblem(api.get("/v1/documents/" + UUID.randomUUID(), customer), 404);
        assertProblem(api.get("/v1/nothing-here", customer), 404);

        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void unreadableEventsGoToTheDeadLetterTopicAndIndexingContinues() throws Exception {
        String customer = registerCustomer("Umbrella");
        byte[] poison = bytes("this is not an Avro message");
        try (var producer = new KafkaProducer<String, byte[]>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.DOCUMENT_EVENTS.name(), "poisoned-tenant", poison)).get();
        }

        try (var consumer = new KafkaConsumer<String, byte[]>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "dlq-check-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.INGESTION_DLQ.name()));
            List<byte[]> deadLetters = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(record -> deadLetters.add(record.value()));
                return !deadLetters.isEmpty();
            });
            assertThat(deadLetters).anySatisfy(value -> assertThat(value).isEqualTo(poison));
        }

        ApiClient.Response after = api.upload(customer, "file", "after.txt", bytes(Corpus.recipes()), null);
        assertThat(after.status()).isEqualTo(202);
        awaitStatus(customer, after.json().get("documentId").asText(), "INDEXED");
    }

    private String registerCustomer(String name) {
        ApiClient.Response created = api.postJson("/v1/admin/customers", ADMIN_TOKEN,
                "{\"name\": \"" + name + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("customerId").asText()).isNotBlank();
        String key = created.json().get("apiKey").asText();
        assertThat(key).startsWith("drk_");
        return key;
    }

    private JsonNode awaitStatus(String apiKey, String documentId, String status) {
        JsonNode[] last = {null};
        await().atMost(INDEXING_TIMEOUT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            ApiClient.Response response = api.get("/v1/documents/" + documentId, apiKey);
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            last[0] = response.json();
            assertThat(last[0].get("status").asText()).as(response.body()).isEqualTo(status);
        });
        return last[0];
    }

    private JsonNode search(String apiKey, String query, int topK) {
        ApiClient.Response response = api.postJson("/v1/search", apiKey,
                "{\"query\": \"" + query + "\", \"topK\": " + topK + "}");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("results");
    }

    private static void assertProblem(ApiClient.Response response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).as(response.body()).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText()).isNotBlank();
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** What a refused request must not change: stored events, API keys and stored objects. */
    private record Snapshot(long events, long apiKeys, List<String> objects) {
    }

    private Snapshot snapshot() throws SQLException {
        long events;
        long keys;
        try (Connection connection = DriverManager.getConnection(infra.jdbcUrl(), infra.jdbcUser(),
                infra.jdbcPassword());
             Statement statement = connection.createStatement()) {
            events = count(statement, "SELECT count(*) FROM command.domain_event_entry");
            keys = count(statement, "SELECT count(*) FROM command.api_key");
        }
        List<String> objects = new ArrayList<>();
        try (S3Client s3 = S3Clients.create(infra.s3())) {
            s3.listObjectsV2Paginator(b -> b.bucket(infra.s3().bucket()))
                    .contents().forEach(object -> objects.add(object.key()));
        }
        return new Snapshot(events, keys, objects);
    }

    private static long count(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
