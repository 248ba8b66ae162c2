package io.dynrag.domain.search;

import io.dynrag.domain.DomainRuleViolation;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * How a search ranks and shapes its hits; the field names are those of the search request, so a
 * refusal names what the client sent.
 *
 * @param mode                 how chunks are found and ranked
 * @param keywordWeight        in hybrid mode, the keyword ranking's share of the fused score (0 to 1;
 *                             the vector ranking has the rest); empty when the request names none, and
 *                             the fusion chooses it by the query's shape
 * @param maxChunksPerDocument at most this many hits of one document; empty for no limit
 * @param minScore             no hit whose score (the mode's: cosine, BM25 or fused) is lower; empty for none
 */
public record SearchOptions(SearchMode mode, OptionalDouble keywordWeight, OptionalInt maxChunksPerDocument,
                            OptionalDouble minScore) {

    /** Hybrid, the weights chosen by the query's shape, no limits. */
    public static final SearchOptions DEFAULT =
            new SearchOptions(SearchMode.HYBRID, OptionalDouble.empty(), OptionalInt.empty(), OptionalDouble.empty());

    public SearchOptions {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(keywordWeight, "keywordWeight");
        Objects.requireNonNull(maxChunksPerDocument, "maxChunksPerDocument");
        Objects.requireNonNull(minScore, "minScore");
        if (keywordWeight.isPresent() && !(keywordWeight.getAsDouble() >= 0 && keywordWeight.getAsDouble() <= 1)) {
            throw new DomainRuleViolation("'keywordWeight' must be between 0 and 1, was " + keywordWeight.getAsDouble());
        }
        if (maxChunksPerDocument.isPresent() && maxChunksPerDocument.getAsInt() < 1) {
            throw new DomainRuleViolation("'maxChunksPerDocument' must be at least 1, was "
                    + maxChunksPerDocument.getAsInt());
        }
        if (minScore.isPresent() && !Double.isFinite(minScore.getAsDouble())) {
            throw new DomainRuleViolation("'minScore' must be a finite number");
        }
    }

    /** The options a request names; absent ones take the defaults. */
    public static SearchOptions of(String mode, Double keywordWeight, Integer maxChunksPerDocument, Double minScore) {
        if (keywordWeight != null && mode != null && !SearchMode.HYBRID.wireName().equals(mode)) {
            throw new DomainRuleViolation("'keywordWeight' applies to the hybrid mode only, the mode is '" + mode + "'");
        }
        return new SearchOptions(SearchMode.named(mode),
                keywordWeight == null ? OptionalDouble.empty() : OptionalDouble.of(keywordWeight),
                maxChunksPerDocument == null ? OptionalInt.empty() : OptionalInt.of(maxChunksPerDocument),
                minScore == null ? OptionalDouble.empty() : OptionalDouble.of(minScore));
    }
}
