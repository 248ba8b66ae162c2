package io.dynrag.pipeline.embedding;

import io.dynrag.pipeline.embedding.openai.OpenAiEmbeddingModel;
import io.dynrag.pipeline.embedding.openai.OpenAiSettings;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.Set;

/**
 * The embedding model for a customer's documents: the local model, or an OpenAI model called
 * with the customer's own key. A dataset holds one model's vectors, so the model id also names
 * the dataset.
 */
public final class EmbeddingModels {

    static final Set<String> OPENAI_MODELS = Set.of("text-embedding-3-small", "text-embedding-3-large",
            "text-embedding-ada-002");

    private final EmbeddingModel local;
    private final ProviderCredentials credentials;
    private final HttpClient http;

    public EmbeddingModels(EmbeddingModel local, ProviderCredentials credentials) {
        this.local = local;
        this.credentials = credentials;
        this.http = OpenAiEmbeddingModel.newHttpClient(OpenAiSettings.of(OpenAiSettings.OPENAI_BASE_URL, "text-embedding-3-small"));
    }

    public EmbeddingModel local() {
        return local;
    }

    /** A model in use; closing releases what a remote model holds (the local model stays open). */
    public record Handle(EmbeddingModel model, boolean owned) implements AutoCloseable {

        @Override
        public void close() {
            if (owned) {
                try {
                    model.close();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot close the embedding model " + model.id(), e);
                }
            }
        }
    }

    /**
     * @param modelId empty for the local model
     * @throws UnavailableModelException when the model is unknown or the customer has no key for it
     */
    public Handle forCustomer(String customerId, String modelId) {
        if (modelId == null || modelId.isEmpty() || modelId.equals(local.id())) {
            return new Handle(local, false);
        }
        if (!OPENAI_MODELS.contains(modelId)) {
            throw new UnavailableModelException("the embedding model '" + modelId + "' is not available");
        }
        ProviderCredentials.ProviderKey key = credentials.find(customerId, "openai").orElseThrow(() ->
                new UnavailableModelException("the embedding model '" + modelId + "' needs your OpenAI key; "
                        + "set it with PUT /v1/customer/provider-key"));
        URI base = key.baseUrl() == null ? OpenAiSettings.OPENAI_BASE_URL : key.baseUrl();
        return new Handle(new OpenAiEmbeddingModel(OpenAiSettings.of(base, modelId), key.apiKey(), http), true);
    }

    /** The model cannot be used for this customer; retrying will not help until its settings change. */
    public static final class UnavailableModelException extends RuntimeException {
        public UnavailableModelException(String message) {
            super(message);
        }
    }
}
