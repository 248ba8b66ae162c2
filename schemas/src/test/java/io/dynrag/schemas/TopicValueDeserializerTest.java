package io.dynrag.schemas;

import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.document.DocumentEvent;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicValueDeserializerTest {

    @Test
    void aConsumerConfiguredByClassNameGetsTheRecordOfEachTopic() throws ClassNotFoundException {
        // What KafkaConsumer does with value.deserializer: a no-argument instance by class name.
        Deserializer<?> deserializer = Utils.newInstance("io.dynrag.schemas.TopicValueDeserializer",
                Deserializer.class);
        CustomerEvent customerEvent = SampleEvents.customerEvents().getFirst();
        DocumentEvent documentEvent = SampleEvents.documentEvents().getFirst();
        byte[] customerBytes = Topics.CUSTOMER_EVENTS.valueSerde().serializer()
                .serialize(Topics.CUSTOMER_EVENTS.name(), customerEvent);
        byte[] documentBytes = Topics.DOCUMENT_EVENTS.valueSerde().serializer()
                .serialize(Topics.DOCUMENT_EVENTS.name(), documentEvent);

        assertThat(deserializer.deserialize(Topics.CUSTOMER_EVENTS.name(), customerBytes)).isEqualTo(customerEvent);
        assertThat(deserializer.deserialize(Topics.DOCUMENT_EVENTS.name(), documentBytes)).isEqualTo(documentEvent);
        assertThat(deserializer.deserialize(Topics.INGESTION_DLQ.name(), new byte[]{1, 2})).isEqualTo(new byte[]{1, 2});
    }

    @Test
    void aValueOfAnotherTopicTypeOrAnUnknownTopicIsAClearError() {
        TopicValueDeserializer deserializer = new TopicValueDeserializer();
        byte[] customerBytes = Topics.CUSTOMER_EVENTS.valueSerde().serializer()
                .serialize(Topics.CUSTOMER_EVENTS.name(), SampleEvents.customerEvents().getFirst());

        assertThatThrownBy(() -> deserializer.deserialize(Topics.DOCUMENT_EVENTS.name(), customerBytes))
                .isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> deserializer.deserialize("orders", customerBytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("'orders' is not a Dynamic RAG topic");
    }
}
