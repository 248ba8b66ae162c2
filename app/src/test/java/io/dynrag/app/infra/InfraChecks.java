package io.dynrag.app.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Writes through each server of an {@link Infra} and reads it back; then, possibly after a restart,
 * checks that what was written is still there.
 */
final class InfraChecks {

    private static final String TOPIC = "infra-check.v1";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final String GROUP = "infra-check";
    private static final String COMMITTED_VALUE = "committed";
    private static final String OBJECT_KEY = "checks/hello.txt";
    private static final byte[] OBJECT_CONTENT = "hello, object".getBytes(StandardCharsets.UTF_8);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private InfraChecks() {
    }

    static void writeAndReadBack(Infra infra) throws Exception {
        kafkaTransactionsAreIsolated(infra);
        sqlRoundTrip(infra);
        objectRoundTrip(infra);
    }

    static void writtenDataIsStillThere(Infra infra) throws Exception {
        assertThat(committedOffset(infra)).as("offset committed by %s before the restart", GROUP).isEqualTo(endOffset(infra));
        assertThat(readFromStart(infra, GROUP + "-after-restart")).containsExactly(COMMITTED_VALUE);

        try (Connection connection = connect(infra); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT body FROM infra_check WHERE id = 'first'")) {
            assertThat(row.next()).as("row written before the restart").isTrue();
            assertThat(row.getString("body")).isEqualTo("kept");
        }

        try (S3Client s3 = S3Clients.create(infra.s3())) {
            assertThat(s3.getObjectAsBytes(get -> get.bucket(infra.s3().bucket()).key(OBJECT_KEY)).asByteArray())
                    .isEqualTo(OBJECT_CONTENT);
        }
    }

    private static void kafkaTransactionsAreIsolated(Infra infra) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(infra));
                KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(infra, GROUP))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(TOPIC, "key", "aborted"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(TOPIC, "key", COMMITTED_VALUE));
            producer.commitTransaction();

            assertThat(readFromStart(consumer)).containsExactly(COMMITTED_VALUE);

            // Consumed offsets committed inside a producer transaction, fenced by group metadata: what exactly_once_v2 does.
            producer.beginTransaction();
            producer.sendOffsetsToTransaction(
                    Map.of(PARTITION, new OffsetAndMetadata(consumer.position(PARTITION))), consumer.groupMetadata());
            producer.commitTransaction();
        }
        assertThat(committedOffset(infra)).isEqualTo(endOffset(infra));
    }

    private static List<String> readFromStart(Infra infra, String group) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(infra, group))) {
            return readFromStart(consumer);
        }
    }

    private static List<String> readFromStart(KafkaConsumer<String, String> consumer) {
        consumer.assign(Set.of(PARTITION));
        consumer.seekToBeginning(Set.of(PARTITION));
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        // The committed record follows the aborted one, so once it arrives a leaked aborted record would be in front of it.
        while (!values.contains(COMMITTED_VALUE) && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                values.add(record.value());
            }
        }
        return values;
    }

    private static long committedOffset(Infra infra) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(infra, GROUP))) {
            OffsetAndMetadata committed = consumer.committed(Set.of(PARTITION), TIMEOUT).get(PARTITION);
            assertThat(committed).as("offset committed by %s", GROUP).isNotNull();
            return committed.offset();
        }
    }

    private static long endOffset(Infra infra) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(infra, GROUP))) {
            return consumer.endOffsets(Set.of(PARTITION), TIMEOUT).get(PARTITION);
        }
    }

    private static Properties producerConfig(Infra infra) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "infra-check-producer");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return config;
    }

    private static Properties consumerConfig(Infra infra, String group) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return config;
    }

    private static void sqlRoundTrip(Infra infra) throws SQLException {
        try (Connection connection = connect(infra); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE infra_check (id text PRIMARY KEY, body text NOT NULL)");
            statement.execute("INSERT INTO infra_check VALUES ('first', 'kept')");
            try (ResultSet row = statement.executeQuery("SELECT count(*) FROM infra_check")) {
                row.next();
                assertThat(row.getLong(1)).isEqualTo(1);
            }
        }
    }

    static Connection connect(Infra infra) throws SQLException {
        return DriverManager.getConnection(infra.jdbcUrl(), infra.jdbcUser(), infra.jdbcPassword());
    }

    private static void objectRoundTrip(Infra infra) {
        String bucket = infra.s3().bucket();
        try (S3Client s3 = S3Clients.create(infra.s3())) {
            S3Clients.ensureBucket(s3, bucket);
            S3Clients.ensureBucket(s3, bucket);
            s3.putObject(put -> put.bucket(bucket).key(OBJECT_KEY), RequestBody.fromBytes(OBJECT_CONTENT));
            assertThat(s3.getObjectAsBytes(get -> get.bucket(bucket).key(OBJECT_KEY)).asByteArray())
                    .isEqualTo(OBJECT_CONTENT);
        }
    }
}
