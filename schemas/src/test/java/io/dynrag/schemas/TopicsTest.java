package io.dynrag.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.ingestion.IngestionProgress;
import io.dynrag.schemas.ingestion.IngestionResult;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void everyPublicTopicIsListedOnceInCreationOrder() {
        assertThat(Topics.allNames()).containsExactly(
                "dynrag.customer-events.v1",
                "dynrag.document-events.v1",
                "dynrag.ingestion-results.v1",
                "dynrag.ingestion-dlq.v1",
                "dynrag.ingestion-progress.v1",
                "dynrag.usage.v1");
    }

    @Test
    void typedTopicsUseTheSerdeOfTheirValueType() {
        assertThat(((AvroSerde<?>) Topics.CUSTOMER_EVENTS.valueSerde()).type()).isEqualTo(CustomerEvent.class);
        assertThat(((AvroSerde<?>) Topics.DOCUMENT_EVENTS.valueSerde()).type()).isEqualTo(DocumentEvent.class);
        assertThat(((AvroSerde<?>) Topics.INGESTION_RESULTS.valueSerde()).type()).isEqualTo(IngestionResult.class);
        assertThat(((AvroSerde<?>) Topics.INGESTION_PROGRESS.valueSerde()).type()).isEqualTo(IngestionProgress.class);
    }

    @Test
    void eventAndUsageTopicsAreKeptForeverSoReadModelsCanBeRebuilt() {
        assertThat(Topics.creationConfigs()).containsOnlyKeys(Topics.allNames());
        for (String name : new String[] {
                Topics.CUSTOMER_EVENTS.name(), Topics.DOCUMENT_EVENTS.name(), Topics.USAGE.name()}) {
            assertThat(Topics.creationConfigs().get(name)).containsEntry(TopicConfig.RETENTION_MS_CONFIG, "-1");
        }
        for (String name : new String[] {Topics.INGESTION_RESULTS.name(), Topics.INGESTION_DLQ.name()}) {
            assertThat(Topics.creationConfigs().get(name)).containsEntry(TopicConfig.RETENTION_MS_CONFIG, "2592000000");
        }
        assertThat(Topics.creationConfigs().get(Topics.INGESTION_PROGRESS.name()))
                .containsEntry(TopicConfig.RETENTION_MS_CONFIG, "3600000");
    }
}
