package io.dynrag.api.idempotency;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class NewIdsTest {

    private static final byte[] FINGERPRINT = "fingerprint of the request".getBytes(StandardCharsets.UTF_8);

    @Test
    void aRetryOfTheSameRequestGetsTheSameIds() {
        NewIds first = NewIds.derivedFrom("customer:c1", "key-1", FINGERPRINT);
        NewIds retry = NewIds.derivedFrom("customer:c1", "key-1", FINGERPRINT.clone());

        assertThat(retry.repeatable()).isTrue();
        assertThat(retry.id(0)).isEqualTo(first.id(0));
        assertThat(retry.id(7)).isEqualTo(first.id(7)).isNotEqualTo(first.id(0));
    }

    @Test
    void anotherScopeKeyOrRequestGetsOtherIds() {
        String id = NewIds.derivedFrom("customer:c1", "key-1", FINGERPRINT).id(0);

        assertThat(NewIds.derivedFrom("customer:c2", "key-1", FINGERPRINT).id(0)).isNotEqualTo(id);
        assertThat(NewIds.derivedFrom("customer:c1", "key-2", FINGERPRINT).id(0)).isNotEqualTo(id);
        assertThat(NewIds.derivedFrom("customer:c1", "key-1", "another body".getBytes(StandardCharsets.UTF_8)).id(0))
                .isNotEqualTo(id);
    }

    @Test
    void withoutAKeyIdsAreRandom() {
        assertThat(NewIds.RANDOM.repeatable()).isFalse();
        assertThat(NewIds.RANDOM.id(0)).isNotEqualTo(NewIds.RANDOM.id(0));
    }
}
