package io.dynrag.api.search;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynrag.domain.DomainRuleViolation;
import io.dynrag.domain.document.filter.FilterRefusal;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad input is refused, naming the offending field, before anything is read or searched. */
class SearchServiceTest {

    private final SearchService service = new SearchService((customerId, model, query, topK, scope, options) -> {
        throw new AssertionError("nothing is searched");
    }, null, null, null, null, null, null, null, null);

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "fuzzy  |      |      |      | 'mode' must be one of hybrid, vector, keyword, was 'fuzzy'",
            "HYBRID |      |      |      | 'mode' must be one of hybrid, vector, keyword, was 'HYBRID'",
            "       | 1.5  |      |      | 'keywordWeight' must be between 0 and 1, was 1.5",
            "       | -0.1 |      |      | 'keywordWeight' must be between 0 and 1, was -0.1",
            "vector | 0.3  |      |      | 'keywordWeight' applies to the hybrid mode only, the mode is 'vector'",
            "       |      | 0    |      | 'maxChunksPerDocument' must be at least 1, was 0",
            "keyword|      |      | NaN  | 'minScore' must be a finite number"})
    void refusesBadRankingOptions(String mode, Double keywordWeight, Integer maxChunksPerDocument, Double minScore,
                                  String message) {
        assertThatThrownBy(() -> service.search("customer", new SearchService.SearchRequest("deadlock", null, null,
                null, null, mode, keywordWeight, maxChunksPerDocument, minScore, null, null, null)))
                .isInstanceOf(DomainRuleViolation.class).hasMessage(message);
    }

    @Test
    void refusesBadQueriesAndTimeTravel() {
        assertThatThrownBy(() -> service.search("customer", request(" ", null, null, null)))
                .isInstanceOf(DomainRuleViolation.class).hasMessageStartingWith("'query'");
        assertThatThrownBy(() -> service.search("customer", request("q", 101, null, null)))
                .isInstanceOf(DomainRuleViolation.class).hasMessageStartingWith("'topK'");
        assertThatThrownBy(() -> service.search("customer", request("q", null, "yesterday", null)))
                .isInstanceOf(DomainRuleViolation.class).hasMessageStartingWith("'asOf'");
        for (String beyond : List.of("+999999999-12-31T23:59:59Z", "-300000-01-01T00:00:00Z")) {
            assertThatThrownBy(() -> service.search("customer", request("q", null, beyond, null))).as(beyond)
                    .isInstanceOf(DomainRuleViolation.class).hasMessageStartingWith("'asOf'")
                    .hasMessageContaining("of a year from 0000 to 9999");
        }
        assertThatThrownBy(() -> service.search("customer", request("q", null, null, 2)))
                .isInstanceOf(DomainRuleViolation.class).hasMessageStartingWith("'version' needs 'documentId'");
    }

    @Test
    void refusesBadFiltersAndDocumentIdsNamingThem() {
        assertThatThrownBy(() -> service.search("customer", new SearchService.SearchRequest("q", null, null, null, null,
                null, null, null, null, Map.of("$or", List.of(Map.of("metadata.year", Map.of("$gte", true)))), null, null)))
                .isInstanceOf(FilterRefusal.class)
                .hasMessageStartingWith("filter at /filter/$or/0/metadata.year/$gte: ");
        assertThatThrownBy(() -> service.search("customer", new SearchService.SearchRequest("q", null, null, null, null,
                null, null, null, null, Map.of("metadata.team", "x".repeat(17_000)), null, null)))
                .isInstanceOf(FilterRefusal.class).hasMessageContaining("at most 16384 bytes");
        assertThatThrownBy(() -> service.search("customer", new SearchService.SearchRequest("q", null, null, null, null,
                null, null, null, null, null, Collections.nCopies(1_001, "d"), null)))
                .isInstanceOf(DomainRuleViolation.class)
                .hasMessage("'documentIds' may name at most 1000 documents, not 1001");
    }

    private static SearchService.SearchRequest request(String query, Integer topK, String asOf, Integer version) {
        return new SearchService.SearchRequest(query, topK, asOf, null, version, null, null, null, null, null, null, null);
    }
}
