package io.dynrag.api.audit;

import io.dynrag.platform.http.ApiProblem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditCursorTest {

    @Test
    void aCursorLeadsBackToThePositionItWasMadeFrom() {
        for (long position : new long[]{0, 1, 41, 1_000_000_007L, 999_999_999_999_999_999L}) {
            assertThat(AuditCursor.position(AuditCursor.after(position))).isEqualTo(position);
        }
    }

    @Test
    void aCursorIsOpaqueAndSafeInAUrl() {
        String cursor = AuditCursor.after(12_345);

        assertThat(cursor).doesNotContain("12345").matches("[A-Za-z0-9_-]+");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "12345", "not a cursor", "!!!", "djE6", "djE6LTE", "djI6MTI", "djE6MTJh",
            "djE6OTk5OTk5OTk5OTk5OTk5OTk5OQ"})
    void anythingElseIsTheClientsMistake(String cursor) {
        assertThatThrownBy(() -> AuditCursor.position(cursor))
                .isInstanceOfSatisfying(ApiProblem.class, problem -> {
                    assertThat(problem.status()).isEqualTo(400);
                    assertThat(problem.detail()).contains("'cursor'");
                });
    }

    @Test
    void aForgedButWellFormedCursorIsJustAPosition() {
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString("v1:7".getBytes(StandardCharsets.US_ASCII));

        assertThat(AuditCursor.position(forged)).isEqualTo(7);
    }

    @Test
    void anOverlongCursorIsRefusedBeforeDecoding() {
        assertThatThrownBy(() -> AuditCursor.position("A".repeat(10_000))).isInstanceOf(ApiProblem.class);
    }
}
