package io.dynrag.domain.document;

import io.dynrag.domain.DomainRuleViolation;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DocumentMetadataTest {

    @Test
    void keepsEveryKindOfValueInOneForm() {
        Map<String, Object> kept = DocumentMetadata.checked(Map.of("team", "search", "year", 2024, "score", 0.5,
                "whole", 3.0, "draft", true, "tags", List.of("a", "b"), "published", "2026-11-26"));
        assertThat(kept).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of("team", "search", "year", 2024L,
                "score", 0.5, "whole", 3L, "draft", true, "tags", List.of("a", "b"), "published", "2026-11-26")));
        assertThat(DocumentMetadata.checked(null)).isEmpty();
    }

    @Test
    void refusesWhatBreaksARuleNamingTheKey() {
        assertRefused(Map.of("a b", "x"), "metadata key 'a b'");
        assertRefused(Map.of("k".repeat(65), "x"), "metadata key");
        assertRefused(Map.of("nested", Map.of("x", 1)), "metadata.nested is an object");
        assertRefused(Map.of("mixed", List.of("a", 1)), "metadata.mixed[1] must be a string");
        assertRefused(Map.of("long", "x".repeat(1025)), "metadata.long may take at most 1024 bytes");
        assertRefused(Map.of("tags", java.util.Collections.nCopies(65, "t")), "metadata.tags may hold at most 64");
        assertRefused(Map.of("nan", Double.NaN), "metadata.nan must be a finite number");
        assertRefused(Map.of("nul", "a\u0000b"), "metadata.nul must not contain the NUL character");
        assertRefused(Map.of("tags", List.of("ok", "\u0000")), "metadata.tags[1] must not contain the NUL character");
        Map<String, Object> nulls = new HashMap<>();
        nulls.put("gone", null);
        assertRefused(nulls, "metadata.gone must not be null");
        Map<String, Object> many = new HashMap<>();
        for (int i = 0; i < 33; i++) {
            many.put("k" + i, i);
        }
        assertRefused(many, "at most 32 keys");
        Map<String, Object> large = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            large.put("k" + i, "x".repeat(1000));
        }
        assertRefused(large, "at most 8192 bytes");
    }

    @Test
    void mergePatchSetsRemovesAndKeeps() {
        Map<String, Object> patch = new HashMap<>();
        patch.put("team", "docs");
        patch.put("draft", null);
        assertThat(DocumentMetadata.merged(Map.of("team", "search", "draft", true, "year", 2024L), patch))
                .isEqualTo(Map.of("team", "docs", "year", 2024L));
    }

    @Test
    void termsMeetTheFiltersThatEqualAValue() {
        assertThat(DocumentMetadata.terms(DocumentMetadata.checked(Map.of("year", 2024, "score", 0.50, "draft", true,
                "tags", List.of("a", "b"), "team", "search")))).containsExactlyInAnyOrder("draft=true", "score=0.5",
                "tags=a", "tags=b", "team=search", "year=2024");
        assertThat(DocumentMetadata.termsMatching("year", "2024.0")).containsExactly("year=2024.0", "year=2024");
        assertThat(DocumentMetadata.termsMatching("team", "search")).containsExactly("team=search");
    }

    @Test
    void datesAreIsoDatesAndInstantsWithAnOffset() {
        assertThat(DocumentMetadata.isDate("2026-11-26")).isTrue();
        assertThat(DocumentMetadata.isDate("2026-11-26T14:22:40Z")).isTrue();
        assertThat(DocumentMetadata.isDate("2026-11-26T14:22:40+01:00")).isTrue();
        assertThat(DocumentMetadata.isDate("2026-13-01")).isFalse();
        assertThat(DocumentMetadata.isDate("2026-11-26T14:22:40")).isFalse();
        assertThat(DocumentMetadata.isDate("search")).isFalse();
    }

    private static void assertRefused(Map<String, ?> metadata, String message) {
        assertThatThrownBy(() -> DocumentMetadata.checked(metadata))
                .isInstanceOf(DomainRuleViolation.class).hasMessageContaining(message);
    }
}
