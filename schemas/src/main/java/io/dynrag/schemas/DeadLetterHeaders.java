package io.dynrag.schemas;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.header.Headers;

/**
 * Headers a dead-letter record carries in addition to the headers of the failed input, naming
 * where the input came from and why it failed. Values are UTF-8 strings; numbers are decimal.
 */
public final class DeadLetterHeaders {

    public static final String SOURCE_TOPIC = "dynrag.dlq.source-topic";
    public static final String SOURCE_PARTITION = "dynrag.dlq.source-partition";
    public static final String SOURCE_OFFSET = "dynrag.dlq.source-offset";
    /** Fully qualified class name of the exception that rejected the input. */
    public static final String ERROR_CLASS = "dynrag.dlq.error-class";
    /** The exception's message, cut to {@link #MAX_ERROR_MESSAGE_CHARS}. */
    public static final String ERROR_MESSAGE = "dynrag.dlq.error-message";

    // Headers count towards the broker's record size limit, and messages may quote the input.
    public static final int MAX_ERROR_MESSAGE_CHARS = 2_000;

    private DeadLetterHeaders() {
    }

    /** Sets all dead-letter headers, replacing earlier values of the same names. */
    public static Headers add(Headers headers, String sourceTopic, int sourcePartition, long sourceOffset,
            Throwable error) {
        Objects.requireNonNull(error, "error");
        addSource(headers, sourceTopic, sourcePartition, sourceOffset);
        return addError(headers, error.getClass().getName(), error.getMessage());
    }

    /** Where the failed input was read: set when it is read, so the position survives internal topics. */
    public static Headers addSource(Headers headers, String sourceTopic, int sourcePartition, long sourceOffset) {
        HeaderValues.put(headers, SOURCE_TOPIC, Objects.requireNonNull(sourceTopic, "sourceTopic"));
        HeaderValues.put(headers, SOURCE_PARTITION, Integer.toString(sourcePartition));
        HeaderValues.put(headers, SOURCE_OFFSET, Long.toString(sourceOffset));
        return headers;
    }

    /**
     * What went wrong.
     *
     * @param errorClass an exception class name, or a name for the kind of failure
     */
    public static Headers addError(Headers headers, String errorClass, String message) {
        HeaderValues.put(headers, ERROR_CLASS, Objects.requireNonNull(errorClass, "errorClass"));
        HeaderValues.put(headers, ERROR_MESSAGE, truncate(Objects.requireNonNullElse(message, "")));
        return headers;
    }

    private static String truncate(String message) {
        if (message.length() <= MAX_ERROR_MESSAGE_CHARS) {
            return message;
        }
        int end = MAX_ERROR_MESSAGE_CHARS;
        if (Character.isHighSurrogate(message.charAt(end - 1))) {
            end--;
        }
        return message.substring(0, end);
    }

    public static Optional<String> sourceTopic(Headers headers) {
        return HeaderValues.get(headers, SOURCE_TOPIC);
    }

    public static OptionalLong sourcePartition(Headers headers) {
        return HeaderValues.getLong(headers, SOURCE_PARTITION);
    }

    public static OptionalLong sourceOffset(Headers headers) {
        return HeaderValues.getLong(headers, SOURCE_OFFSET);
    }

    public static Optional<String> errorClass(Headers headers) {
        return HeaderValues.get(headers, ERROR_CLASS);
    }

    public static Optional<String> errorMessage(Headers headers) {
        return HeaderValues.get(headers, ERROR_MESSAGE);
    }
}
