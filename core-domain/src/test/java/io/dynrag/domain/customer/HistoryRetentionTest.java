package io.dynrag.domain.customer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynrag.domain.DomainRuleViolation;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HistoryRetentionTest {

    private static final HistoryRetention CEILING_90 = new HistoryRetention(90);

    @Test
    void aCustomerMaySetOneDayUpToTheCeilingAndIsToldTheRangeOtherwise() {
        CEILING_90.admit(1);
        CEILING_90.admit(90);
        for (int days : new int[] {0, -1, 91}) {
            assertThatThrownBy(() -> CEILING_90.admit(days)).isInstanceOf(DomainRuleViolation.class)
                    .hasMessage("historyRetentionDays must be 1 to 90 (the operator's ceiling), was " + days);
        }
    }

    @Test
    void theRetentionThatAppliesIsTheChosenOneCutToTheCeiling() {
        Instant now = Instant.parse("2026-12-07T08:00:00Z");
        assertThat(CEILING_90.of(withRetention(30))).isEqualTo(Duration.ofDays(30));
        assertThat(CEILING_90.of(withRetention(365))).as("chosen under a higher ceiling").isEqualTo(Duration.ofDays(90));
        assertThat(CEILING_90.windowStart(withRetention(30), now)).isEqualTo(Instant.parse("2026-11-07T08:00:00Z"));
        assertThat(withRetention(0).historyRetentionDays()).as("stored before retention existed").isEqualTo(30);
        assertThat(new HistoryRetention(7).defaultDays()).isEqualTo(7);
        assertThat(CEILING_90.defaultDays()).isEqualTo(30);
    }

    @Test
    void theCeilingItselfIsBounded() {
        assertThatThrownBy(() -> new HistoryRetention(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HistoryRetention(3_651)).isInstanceOf(IllegalArgumentException.class);
    }

    private static CustomerConfiguration withRetention(int days) {
        return new CustomerConfiguration(60, 1_000, 10, 1 << 20, CustomerConfiguration.SUPPORTED_CONTENT_TYPES, 128,
                0, CustomerConfiguration.LOCAL_MODEL, null, 80, null, days);
    }
}
