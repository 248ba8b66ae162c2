package io.dynrag.platform.idempotency;

import io.dynrag.platform.http.ApiProblem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdempotencyKeyTest {

    @Test
    void acceptsOneTo255PrintableAsciiCharacters() {
        assertThat(IdempotencyKey.fromHeader(null)).isEmpty();
        assertThat(IdempotencyKey.fromHeader("x")).contains(new IdempotencyKey("x"));
        assertThat(IdempotencyKey.fromHeader("8e03978e-40d5-43e8-bc93-6894a57f9324")).isPresent();
        assertThat(IdempotencyKey.fromHeader("!~\"{}" + "a".repeat(250))).isPresent();
    }

    @Test
    void refusesEmptyLongSpacedControlAndNonAsciiKeys() {
        for (String malformed : new String[]{"", "a".repeat(256), "two words", "tab\there", "caf\u00e9", "line\n"}) {
            assertThatThrownBy(() -> IdempotencyKey.fromHeader(malformed))
                    .as(malformed)
                    .isInstanceOfSatisfying(ApiProblem.class, problem -> {
                        assertThat(problem.status()).isEqualTo(400);
                        assertThat(problem.detail()).contains("Idempotency-Key");
                    });
        }
    }

    @Test
    void anArgumentFollowsTheSameRuleAndItsRefusalNamesTheArgument() {
        assertThat(IdempotencyKey.fromArgument("idempotencyKey", null)).isEmpty();
        assertThat(IdempotencyKey.fromArgument("idempotencyKey", "x")).contains(new IdempotencyKey("x"));
        assertThatThrownBy(() -> IdempotencyKey.fromArgument("idempotencyKey", "two words"))
                .isInstanceOfSatisfying(ApiProblem.class, problem -> {
                    assertThat(problem.status()).isEqualTo(400);
                    assertThat(problem.detail()).startsWith("'idempotencyKey' must be 1 to 255 printable ASCII");
                });
    }
}
