package io.dynrag.app.infra;

import io.dynrag.schemas.Topics;
import io.dynrag.schemas.connection.KafkaConnection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/**
 * Creates the public topics with their contract settings (retention forever for event topics), or,
 * where the operator creates topics (managed Kafka often forbids clients to), checks they exist.
 */
public final class KafkaTopics {

    private KafkaTopics() {
    }

    /** @param create whether to create missing topics; if not, a missing topic stops the start, named */
    public static void ensure(KafkaConnection kafka, int partitions, short replication, boolean create) {
        try (Admin admin = Admin.create(kafka.config(Map.of()))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = Topics.creationConfigs().entrySet().stream()
                    .filter(topic -> !existing.contains(topic.getKey()))
                    .map(topic -> new NewTopic(topic.getKey(), partitions, replication).configs(topic.getValue()))
                    .toList();
            if (missing.isEmpty()) {
                return;
            }
            if (!create) {
                throw new IllegalStateException("the Kafka topics " + missing.stream().map(NewTopic::name).toList()
                        + " do not exist and DYNRAG_KAFKA_CREATE_TOPICS is false: create them with the settings "
                        + "docs/topics.md lists, or let Dynamic RAG create them");
            }
            try {
                admin.createTopics(missing).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create the Kafka topics: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating Kafka topics", e);
        }
    }
}
