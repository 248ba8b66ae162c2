package io.dynrag.schemas;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/** A public topic with the serdes of its keys and values. */
public record Topic<V>(String name, Serde<String> keySerde, Serde<V> valueSerde) {
    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
    }
}
