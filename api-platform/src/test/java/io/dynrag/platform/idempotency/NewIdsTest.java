package io.dynrag.platform.idempotency;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class NewIdsTest {

    @Test
    void aRetryOfTheSameUseOfTheKeyGetsTheSameIds() {
        UUID requestId = UUID.randomUUID();
        NewIds first = NewIds.derivedFrom(requestId);
        NewIds retry = NewIds.derivedFrom(UUID.fromString(requestId.toString()));

        assertThat(retry.repeatable()).isTrue();
        assertThat(retry.id(0)).isEqualTo(first.id(0));
        assertThat(retry.id(7)).isEqualTo(first.id(7)).isNotEqualTo(first.id(0));
    }

    @Test
    void anotherUseOfTheKeyGetsOtherIds() {
        assertThat(NewIds.derivedFrom(UUID.randomUUID()).id(0)).isNotEqualTo(NewIds.derivedFrom(UUID.randomUUID()).id(0));
    }

    @Test
    void withoutAKeyIdsAreRandom() {
        assertThat(NewIds.RANDOM.repeatable()).isFalse();
        assertThat(NewIds.RANDOM.id(0)).isNotEqualTo(NewIds.RANDOM.id(0));
    }
}
