package io.dynrag.schemas.connection;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaConnectionTest {

    private static final String VARIABLE = "DYNRAG_KAFKA_PROPERTIES_FILE";

    @TempDir
    Path directory;

    @Test
    void aClientsConfigIsTheFilesPropertiesThenTheServersThenTheClientsOwnSettings() throws IOException {
        KafkaConnection kafka = KafkaConnection.withPropertiesFile("broker:9093", file("""
                security.protocol=SASL_SSL
                sasl.mechanism=PLAIN
                max.poll.records=7
                """), VARIABLE);

        assertThat(kafka.config(Map.of("max.poll.records", 100, "group.id", "readers")))
                .containsEntry("bootstrap.servers", "broker:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("max.poll.records", 100)
                .containsEntry("group.id", "readers");
        assertThat(KafkaConnection.to("broker:9092").config(Map.of()))
                .isEqualTo(Map.of("bootstrap.servers", "broker:9092"));
    }

    @Test
    void aKeyTheCodeSetsIsRefusedNamingKeyAndFile() throws IOException {
        Path file = file("security.protocol=SSL\nenable.idempotence=false\n");

        assertThatThrownBy(() -> KafkaConnection.withPropertiesFile("broker:9093", file, VARIABLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'enable.idempotence'")
                .hasMessageContaining(file.toString())
                .hasMessageContaining(VARIABLE);
    }

    @Test
    void aKeyTheCodeSetsIsRefusedUnderAKafkaStreamsClientPrefixToo() throws IOException {
        for (String key : List.of("producer.transactional.id", "main.consumer.isolation.level",
                "admin.bootstrap.servers", "processing.guarantee", "application.id", "group.id",
                "value.deserializer")) {
            Path file = file(key + "=x\n");
            assertThatThrownBy(() -> KafkaConnection.withPropertiesFile("broker:9093", file, VARIABLE))
                    .hasMessageContaining("'" + key + "'");
        }
        assertThatThrownBy(() -> new KafkaConnection("broker:9093", Map.of("auto.offset.reset", "latest"),
                KafkaConnection.ClientHook.NONE)).hasMessageContaining("'auto.offset.reset'");
    }

    @Test
    void aFileThatCannotBeReadIsAnErrorNamingTheVariable() {
        Path missing = directory.resolve("absent.properties");

        assertThatThrownBy(() -> KafkaConnection.withPropertiesFile("broker:9093", missing, VARIABLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(VARIABLE + " names " + missing);
        assertThatThrownBy(() -> KafkaConnection.withPropertiesFile("broker:9093", directory, VARIABLE))
                .hasMessageStartingWith(VARIABLE + " names " + directory);
    }

    @Test
    void theHookIsToldOfEachClientOpenedAndClosed() {
        List<String> told = new ArrayList<>();
        KafkaConnection kafka = KafkaConnection.to("broker:9092").reportingTo(new KafkaConnection.ClientHook() {
            @Override
            public void opened(Object client) {
                told.add("opened " + client);
            }

            @Override
            public void closed(Object client) {
                told.add("closed " + client);
            }
        });

        assertThat(kafka.opened("producer")).isEqualTo("producer");
        kafka.closed("producer");

        assertThat(told).containsExactly("opened producer", "closed producer");
        assertThat(kafka.bootstrapServers()).isEqualTo("broker:9092");
    }

    @Test
    void theTextShowsNoPropertyValue() throws IOException {
        KafkaConnection kafka = KafkaConnection.withPropertiesFile("broker:9093", file("""
                sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required password="s3cret";
                """), VARIABLE);

        assertThat(kafka.toString()).contains("broker:9093", "sasl.jaas.config").doesNotContain("s3cret");
    }

    private Path file(String content) throws IOException {
        return Files.writeString(Files.createTempFile(directory, "kafka", ".properties"), content);
    }
}
