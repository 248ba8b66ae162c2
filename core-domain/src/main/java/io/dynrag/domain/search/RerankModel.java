package io.dynrag.domain.search;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A model that reorders a search's candidates by their relevance to the query, run by a provider with the
 * customer's own key for that provider, and priced as the provider lists it: per search (Cohere) or per token
 * of the query and documents sent (Jina, Voyage). A customer chooses one in its configuration, or none.
 *
 * @param provider                the provider key it is called with, as stored under {@code PUT /v1/customer/provider-key}
 * @param usdPerThousandSearches  price of 1,000 calls, whatever they hold; zero when priced by token
 * @param usdPerMillionTokens     price of a million tokens sent; zero when priced by search
 */
public record RerankModel(String id, String provider, BigDecimal usdPerThousandSearches,
                          BigDecimal usdPerMillionTokens) {

    public static final Map<String, RerankModel> SUPPORTED = Stream.of(
                    new RerankModel("rerank-v3.5", "cohere", new BigDecimal("2.00"), BigDecimal.ZERO),
                    new RerankModel("rerank-english-v3.0", "cohere", new BigDecimal("2.00"), BigDecimal.ZERO),
                    new RerankModel("rerank-multilingual-v3.0", "cohere", new BigDecimal("2.00"), BigDecimal.ZERO),
                    new RerankModel("jina-reranker-v2-base-multilingual", "jina", BigDecimal.ZERO,
                            new BigDecimal("0.02")),
                    new RerankModel("rerank-2", "voyage", BigDecimal.ZERO, new BigDecimal("0.05")),
                    new RerankModel("rerank-2-lite", "voyage", BigDecimal.ZERO, new BigDecimal("0.02")))
            .collect(Collectors.toUnmodifiableMap(RerankModel::id, Function.identity()));

    /** Cost of one call that sent this many tokens, in millionths of a dollar. */
    public long costMicroUsd(long tokens) {
        // Per 1,000 searches is thousandths of the price per search; per million tokens is micro-USD per token.
        return usdPerThousandSearches.multiply(BigDecimal.valueOf(1_000))
                .add(usdPerMillionTokens.multiply(BigDecimal.valueOf(tokens)))
                .setScale(0, RoundingMode.HALF_UP).longValueExact();
    }
}
