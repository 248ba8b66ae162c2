package io.dynrag.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class DeadLetterHeadersTest {

    @Test
    void sourceAndErrorReadBackAlongsideTheInputsHeaders() {
        Headers headers = EventHeaders.add(new RecordHeaders(), "evt-1", "doc-1", 3L, "DocumentVersionUploaded");

        DeadLetterHeaders.add(headers, Topics.DOCUMENT_EVENTS.name(), 2, 1_234L,
                new SerializationException("bad bytes"));

        assertThat(DeadLetterHeaders.sourceTopic(headers)).contains("dynrag.document-events.v1");
        assertThat(DeadLetterHeaders.sourcePartition(headers)).hasValue(2);
        assertThat(DeadLetterHeaders.sourceOffset(headers)).hasValue(1_234L);
        assertThat(DeadLetterHeaders.errorClass(headers)).contains(SerializationException.class.getName());
        assertThat(DeadLetterHeaders.errorMessage(headers)).contains("bad bytes");
        assertThat(EventHeaders.eventId(headers)).contains("evt-1");
    }

    @Test
    void missingMessageIsEmpty() {
        Headers headers = DeadLetterHeaders.add(new RecordHeaders(), "t", 0, 0L, new IllegalStateException());

        assertThat(DeadLetterHeaders.errorMessage(headers)).contains("");
    }

    @Test
    void longMessagesAreCutWithoutSplittingACharacter() {
        String message = "a".repeat(DeadLetterHeaders.MAX_ERROR_MESSAGE_CHARS - 1) + "😀" + "tail";

        Headers headers = DeadLetterHeaders.add(new RecordHeaders(), "t", 0, 0L, new IllegalStateException(message));

        String stored = DeadLetterHeaders.errorMessage(headers).orElseThrow();
        assertThat(stored).isEqualTo("a".repeat(DeadLetterHeaders.MAX_ERROR_MESSAGE_CHARS - 1));
        assertThat(headers.lastHeader(DeadLetterHeaders.ERROR_MESSAGE).value())
                .isEqualTo(stored.getBytes(StandardCharsets.UTF_8));
    }
}
