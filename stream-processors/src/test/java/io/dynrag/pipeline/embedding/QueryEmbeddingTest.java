package io.dynrag.pipeline.embedding;

import io.dynrag.pipeline.testing.HashEmbeddingModel;
import io.dynrag.vectorstore.QueryEmbedder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueryEmbeddingTest {

    private final HashEmbeddingModel model = new HashEmbeddingModel();
    private final QueryEmbedding embedding = new QueryEmbedding(new EmbeddingModels(model, ProviderCredentials.NONE));

    @Test
    void aQueryIsEmbeddedByTheCustomersModelWhichNamesTheDataset() {
        QueryEmbedder.EmbeddedQuery embedded = embedding.embed("customer-1", "", "where do bees go in winter");

        assertThat(embedded.model()).isEqualTo(HashEmbeddingModel.ID);
        assertThat(embedded.vector()).isEqualTo(model.embed("where do bees go in winter"));
    }

    @Test
    void aQueryLongerThanTheModelAcceptsIsRefusedNotTruncated() {
        String query = "word ".repeat(HashEmbeddingModel.MAX_INPUT_TOKENS + 1);

        assertThatThrownBy(() -> embedding.embed("customer-1", "", query))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the query has 257 tokens; the embedding model " + HashEmbeddingModel.ID
                        + " accepts at most 256");
    }

    @Test
    void aModelTheCustomerCannotUseIsRefusedWithTheReason() {
        assertThatThrownBy(() -> embedding.embed("customer-1", "text-embedding-3-large", "bees"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("text-embedding-3-large").hasMessageContaining("OpenAI key");
        assertThatThrownBy(() -> embedding.embed("customer-1", "no-such-model", "bees"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the embedding model 'no-such-model' is not available");
    }
}
