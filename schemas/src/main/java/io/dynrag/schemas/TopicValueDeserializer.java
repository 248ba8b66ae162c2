package io.dynrag.schemas;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes the value of any of our Avro topics, choosing the record type by the topic's name, so a
 * consumer configured only by properties can read them:
 * {@code value.deserializer=io.dynrag.schemas.TopicValueDeserializer}. Values come back as the
 * generated classes ({@code CustomerEvent}, {@code DocumentEvent}, …); the dead-letter topic's raw
 * bytes come back as {@code byte[]}. Reads every schema version in this jar's history.
 */
public final class TopicValueDeserializer implements Deserializer<Object> {

    @Override
    public Object deserialize(String topic, byte[] data) {
        Topic<?> known = Topics.byName(topic).orElseThrow(() -> new SerializationException(
                "'" + topic + "' is not a Dynamic RAG topic; known topics: " + Topics.allNames()));
        return known.valueSerde().deserializer().deserialize(topic, data);
    }
}
