package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.app.infra.Infra;
import io.dynrag.app.infra.S3Clients;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
@Tag("e2e")
abstract class WalkingSkeletonScenario {

    private static final String ADMIN_TOKEN = TestSystem.OPERATOR_TOKEN;

    private TestSystem system;
    private Infra infra;
    private ApiClient api;

    protected abstract TestSystem system();

    @BeforeEach
    void useSystem() {
        system = system();
        infra = system.infra();
        api = system.api();
    }

    @Test
    void anUploadedDocumentIsIndexedAndFoundOnlyByItsTenant() {
        String acme = system.registerCustomer("Acme Lighthouses");
        String globex = system.registerCustomer("Globex Kitchens");

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

        JsonNode indexed = system.awaitStatus(acme, documentId, "INDEXED");
        assertThat(indexed.get("title").asText()).isEqualTo("Lighthouse keeping");
        assertThat(indexed.get("chunks").asInt()).isGreaterThan(1);
        assertThat(indexed.get("tokens").asLong()).isGreaterThan(100);
        system.awaitStatus(globex, otherId, "INDEXED");

        JsonNode hits = system.search(acme, "how was the lamp kept burning through storms at night?", 5);
        assertThat(hits).isNotEmpty();
        assertThat(hits.get(0).get("documentId").asText()).isEqualTo(documentId);
        assertThat(hits.get(0).get("version").asInt()).isEqualTo(1);
        assertThat(hits.get(0).get("text").asText()).containsIgnoringCase("lamp");
        double previous = Double.MAX_VALUE;
        for (JsonNode hit : hits) {
            assertThat(hit.get("score").asDouble()).isLessThanOrEqualTo(previous);
            previous = hit.get("score").asDouble();
        }

        JsonNode othersHits = system.search(globex, "how was the lamp kept burning through storms at night?", 10);
        assertThat(othersHits).isNotEmpty();
        othersHits.forEach(hit -> assertThat(hit.get("documentId").asText()).isEqualTo(otherId));

        ApiClient.Response foreign = api.get("/v1/documents/" + documentId, globex);
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.contentType()).startsWith("application/problem+json");
    }

    @Test
    void aDocumentThatFailsInThePipelineIsFailedWithAReasonAndOthersStillIndex() {
        String customer = system.registerCustomer("Initech");
        ApiClient.Response blank = api.upload(customer, "file", "blank.txt",
                " \n\n   \n".getBytes(StandardCharsets.UTF_8), "Nothing in here");
        assertThat(blank.status()).as(blank.body()).isEqualTo(202);
        ApiClient.Response good = api.upload(customer, "file", "notes.txt",
                Corpus.recipes().getBytes(StandardCharsets.UTF_8), "Notes");
        assertThat(good.status()).as(good.body()).isEqualTo(202);

        JsonNode failed = system.awaitStatus(customer, blank.json().get("documentId").asText(), "FAILED");
        assertThat(failed.get("failureReason").asText()).contains("no text");
        system.awaitStatus(customer, good.json().get("documentId").asText(), "INDEXED");
    }

    @Test
    void badRequestsAreRefusedWithProblemsAndChangeNothing() throws Exception {
        String customer = system.registerCustomer("Hooli");
        Snapshot before = snapshot();

        TestSystem.assertProblem(api.upload(null, "file", "a.txt", bytes("hello"), null), 401);
        TestSystem.assertProblem(api.upload("drk_not-a-real-key", "file", "a.txt", bytes("hello"), null), 401);
        TestSystem.assertProblem(api.upload(ADMIN_TOKEN, "file", "a.txt", bytes("hello"), null), 403);
        TestSystem.assertProblem(api.outsideContract().upload(customer, "file", null, null, "no file part"), 400);
        TestSystem.assertProblem(api.outsideContract().upload(customer, "document", "a.txt",
                bytes("wrong field name"), null), 400);
        TestSystem.assertProblem(api.upload(customer, "file", "empty.txt", new byte[0], null), 400);
        TestSystem.assertProblem(api.upload(customer, "file", "archive.zip",
                new byte[]{'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0}, null), 415);
        TestSystem.assertProblem(api.upload(customer, "file", "binary.txt", new byte[]{'a', 0, 'b'}, null), 415);
        TestSystem.assertProblem(api.upload(customer, "file", "latin1.txt", new byte[]{'c', 'a', 'f', (byte) 0xE9}, null), 415);
        TestSystem.assertProblem(api.upload(customer, "file", "huge.txt", "x".repeat(300_000).getBytes(StandardCharsets.UTF_8),
                null), 413);
        TestSystem.assertProblem(api.outsideContract().postRaw("/v1/documents", customer, "text/plain", bytes("just text")), 415);
        TestSystem.assertProblem(api.outsideContract().postJson("/v1/search", customer, "{\"query\": "), 400);
        TestSystem.assertProblem(api.outsideContract().postJson("/v1/search", customer,
                "{\"query\": \"x\", \"topk\": 3}"), 400);
        TestSystem.assertProblem(api.postJson("/v1/search", customer, "{\"query\": \"  \"}"), 400);
        TestSystem.assertProblem(api.outsideContract().postJson("/v1/search", customer,
                "{\"query\": \"x\", \"topK\": 0}"), 400);
        TestSystem.assertProblem(api.postJson("/v1/search", customer, "{\"query\": \"" + "word ".repeat(400) + "\"}"), 400);
        TestSystem.assertProblem(api.postJson("/v1/search", null, "{\"query\": \"x\"}"), 401);
        TestSystem.assertProblem(api.postJson("/v1/admin/customers", customer, "{\"name\": \"Mallory\"}"), 403);
        TestSystem.assertProblem(api.postJson("/v1/admin/customers", ADMIN_TOKEN, "{\"name\": \"\"}"), 400);
        TestSystem.assertProblem(api.outsideContract().postJson("/v1/admin/customers", ADMIN_TOKEN, "not json"), 400);
        TestSystem.assertProblem(api.get("/v1/documents/not-a-uuid", customer), 404);
        TestSystem.assertProblem(api.get("/v1/documents/" + UUID.randomUUID(), customer), 404);
        TestSystem.assertProblem(api.outsideContract().get("/v1/nothing-here", customer), 404);

        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void unreadableEventsGoToTheDeadLetterTopicAndIndexingContinues() throws Exception {
        String customer = system.registerCustomer("Umbrella");
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
            // Other tests send their failed documents here too: wait for this one.
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(record -> deadLetters.add(record.value()));
                return deadLetters.stream().anyMatch(value -> Arrays.equals(value, poison));
            });
        }

        ApiClient.Response after = api.upload(customer, "file", "after.txt", bytes(Corpus.recipes()), null);
        assertThat(after.status()).isEqualTo(202);
        system.awaitStatus(customer, after.json().get("documentId").asText(), "INDEXED");
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
