package example.downstream;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A downstream consumer that knows Dynamic RAG only by its topic names and published schema files: kafka-clients
 * hands it bytes, {@link PublishedSchemas} turns them into generic Avro records. No class of Dynamic RAG is on
 * its path (checked by {@code PlainConsumerDependenciesTest}).
 */
public final class GenericTopicConsumer implements AutoCloseable {

    /** One decoded record: the key is the customer id; headers are UTF-8 strings. */
    public record Message(String topic, String key, Map<String, String> headers, long writerFingerprint,
                          GenericRecord value) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final PublishedSchemas schemas;

    public GenericTopicConsumer(String bootstrapServers, String groupId, List<String> topics, PublishedSchemas schemas) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Events are published in Kafka transactions: an aborted attempt must not be read.
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.schemas = schemas;
        consumer.subscribe(topics);
    }

    public List<Message> poll(Duration timeout) {
        List<Message> messages = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            Map<String, String> headers = new HashMap<>();
            for (Header header : record.headers()) {
                headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
            messages.add(new Message(record.topic(), new String(record.key(), StandardCharsets.UTF_8), headers,
                    PublishedSchemas.writerFingerprint(record.value()), schemas.decode(record.value())));
        }
        return messages;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
