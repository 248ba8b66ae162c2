package io.dynrag.domain.search;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RerankModelTest {

    @Test
    void aModelPricedPerSearchCostsTheSameWhateverItIsSent() {
        RerankModel cohere = RerankModel.SUPPORTED.get("rerank-v3.5");
        assertThat(cohere.costMicroUsd(0)).as("$2 per 1,000 searches").isEqualTo(2_000);
        assertThat(cohere.costMicroUsd(50_000)).isEqualTo(2_000);
    }

    @Test
    void aModelPricedPerTokenCostsItsTokens() {
        RerankModel voyage = RerankModel.SUPPORTED.get("rerank-2");
        assertThat(voyage.costMicroUsd(1_000_000)).as("$0.05 per million tokens").isEqualTo(50_000);
        assertThat(voyage.costMicroUsd(30)).as("rounded to the nearest micro-dollar").isEqualTo(2);
    }

    @Test
    void everyModelNamesAProviderAndOnePrice() {
        assertThat(RerankModel.SUPPORTED.values()).allSatisfy(model -> {
            assertThat(model.provider()).isIn("cohere", "jina", "voyage");
            assertThat(model.usdPerThousandSearches().signum() > 0 ^ model.usdPerMillionTokens().signum() > 0)
                    .as(model.id() + " is priced per search or per token").isTrue();
        });
    }
}
