package io.dynrag.domain.search;

import io.dynrag.domain.DomainRuleViolation;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How chunks are found and ranked. */
public enum SearchMode {
    /** Vector and keyword candidates fused by reciprocal rank. */
    HYBRID,
    /** Cosine similarity of the query's embedding. */
    VECTOR,
    /** BM25 over the query's terms. */
    KEYWORD;

    /** The mode a client names ({@code hybrid}, {@code vector}, {@code keyword}); hybrid when absent. */
    public static SearchMode named(String name) {
        if (name == null) {
            return HYBRID;
        }
        return Arrays.stream(values())
                .filter(mode -> mode.wireName().equals(name))
                .findFirst()
                .orElseThrow(() -> new DomainRuleViolation("'mode' must be one of " + Arrays.stream(values())
                        .map(SearchMode::wireName).collect(Collectors.joining(", ")) + ", was '" + name + "'"));
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
