package io.dynrag.domain.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/**
 * Embedding prices in US dollars per million tokens by model id; a model without a price costs
 * nothing. Dollars per million tokens are millionths of a dollar per token, so a cost in micro-USD
 * is the price times the tokens. The pipeline prices what it embedded with it, and the API prices
 * what an upload may cost before accepting it against a budget.
 */
public record EmbeddingPrices(Map<String, BigDecimal> usdPerMillionTokens) {

    public EmbeddingPrices {
        usdPerMillionTokens = Map.copyOf(usdPerMillionTokens);
    }

    public long costMicroUsd(String model, long tokens) {
        BigDecimal price = usdPerMillionTokens.getOrDefault(model, BigDecimal.ZERO);
        return price.multiply(BigDecimal.valueOf(tokens)).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }
}
