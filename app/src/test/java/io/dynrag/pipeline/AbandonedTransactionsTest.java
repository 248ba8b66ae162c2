package io.dynrag.pipeline;

import io.dynrag.embedded.EmbeddedKafka;
import io.dynrag.schemas.connection.KafkaConnection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Transactions of processes that left the consumer group are aborted at once; those of members, and
 * of other applications, are left alone.
 */
@Tag("e2e")
class AbandonedTransactionsTest {

    private static final String TOPIC = "abandoned-transactions-test";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    @TempDir
    static Path dir;
    private static EmbeddedKafka kafka;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void theTransactionOfAProcessThatLeftTheGroupIsAbortedAndOthersAreLeftAlone() throws Exception {
        String application = "pipeline-" + UUID.randomUUID().toString().substring(0, 8);
        String live = UUID.randomUUID().toString();
        String dead = UUID.randomUUID().toString();
        joinGroup(application, application + "-" + live + "-StreamThread-1-consumer");
        Producer<byte[], byte[]> liveProducer = openTransaction(application + "-" + live + "-1");
        Producer<byte[], byte[]> deadProducer = openTransaction(application + "-" + dead + "-1");
        Producer<byte[], byte[]> otherApplication = openTransaction("other-" + application + "-" + dead + "-1");
        long stableBefore = lastStableOffset();

        try (AbandonedTransactions janitor = new AbandonedTransactions(KafkaConnection.to(kafka.bootstrapServers()),
                application)) {
            assertThat(janitor.fenceAbandoned()).containsExactly(application + "-" + dead + "-1");
        }

        assertThatThrownBy(deadProducer::commitTransaction).as("the dead process's producer is fenced")
                .isInstanceOf(KafkaException.class);
        liveProducer.commitTransaction();
        otherApplication.commitTransaction();
        assertThat(lastStableOffset()).as("nothing holds read_committed readers back any more")
                .isGreaterThan(stableBefore);
    }

    @Test
    void nothingIsFencedWhileAMemberDoesNotNameItsProcess() throws Exception {
        String application = "pipeline-" + UUID.randomUUID().toString().substring(0, 8);
        joinGroup(application, "a-client-id-set-by-hand");
        Producer<byte[], byte[]> open = openTransaction(application + "-" + UUID.randomUUID() + "-1");

        try (AbandonedTransactions janitor = new AbandonedTransactions(KafkaConnection.to(kafka.bootstrapServers()),
                application)) {
            assertThat(janitor.fenceAbandoned()).isEmpty();
        }
        open.commitTransaction();
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
    }

    /** A consumer that stays a member of the group while the test runs (it heartbeats in the background). */
    private void joinGroup(String group, String clientId) {
        KafkaConsumer<byte[], byte[]> member = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.CLIENT_ID_CONFIG, clientId),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        clients.add(member);
        member.subscribe(List.of(TOPIC));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (member.assignment().isEmpty() && System.nanoTime() < deadline) {
            member.poll(Duration.ofMillis(100));
        }
        assertThat(member.assignment()).as("the member joined the group").isNotEmpty();
    }

    private Producer<byte[], byte[]> openTransaction(String transactionalId) throws Exception {
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Duration.ofMinutes(10).toMillis()),
                new ByteArraySerializer(), new ByteArraySerializer());
        clients.add(() -> producer.close(Duration.ZERO));
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(TOPIC, transactionalId.getBytes(StandardCharsets.UTF_8))).get();
        return producer;
    }

    /** The offset read_committed readers may read up to. */
    private static long lastStableOffset() {
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            return consumer.endOffsets(List.of(PARTITION)).get(PARTITION);
        }
    }
}
