package io.dynrag.app.infra;

import io.dynrag.embedded.EmbeddedKafka;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.connection.KafkaConnection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("e2e")
class KafkaTopicsTest {

    @TempDir
    Path directory;

    @Test
    void withoutTopicCreationMissingTopicsStopTheStartByName() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(directory, 0)) {
            String topic = Topics.creationConfigs().keySet().iterator().next();
            KafkaConnection connection = KafkaConnection.to(kafka.bootstrapServers());
            assertThatThrownBy(() -> KafkaTopics.ensure(connection, 1, (short) 1, false))
                    .hasMessageContaining(topic)
                    .hasMessageContaining("DYNRAG_KAFKA_CREATE_TOPICS is false");

            KafkaTopics.ensure(connection, 1, (short) 1, true);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get()).containsAll(Topics.creationConfigs().keySet());
            }
            // The topics exist now, as an operator would have created them: a start that may not create them goes on.
            KafkaTopics.ensure(connection, 1, (short) 1, false);
        }
    }
}
