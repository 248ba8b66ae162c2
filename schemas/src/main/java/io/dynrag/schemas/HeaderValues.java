package io.dynrag.schemas;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** UTF-8 string and decimal number header values; writing replaces any earlier value of the name. */
final class HeaderValues {

    private HeaderValues() {
    }

    static void put(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    static Optional<String> get(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        if (header == null || header.value() == null) {
            return Optional.empty();
        }
        return Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }

    static OptionalLong getLong(Headers headers, String name) {
        Optional<String> text = get(headers, name);
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(text.get()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Header " + name + " must be a decimal number, got '" + text.get() + "'", e);
        }
    }
}
