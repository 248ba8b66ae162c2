package io.dynrag.pipeline.embedding;

import io.dynrag.pipeline.embedding.openai.EmbeddingsTransport;
import io.dynrag.pipeline.embedding.openai.OpenAiEmbeddingModel;
import io.dynrag.pipeline.embedding.openai.OpenAiSettings;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The embedding model for a customer's documents: the local model (fp32, or its int8 variant,
 * loaded when first asked for), or an OpenAI model called with the customer's own key. A dataset
 * holds one model's vectors, so the model id also names the dataset. Closing releases the int8
 * variant if it was loaded; the local model belongs to whoever passed it in. OpenAI's own endpoint is
 * called with the JDK's client; a customer's own base URL only through the transport given for those.
 */
public final class EmbeddingModels implements AutoCloseable {

    static final Set<String> OPENAI_MODELS = Set.of("text-embedding-3-small", "text-embedding-3-large",
            "text-embedding-ada-002");

    private final EmbeddingModel local;
    private final Supplier<EmbeddingModel> loadQuantized;
    private final ProviderCredentials credentials;
    private final EmbeddingsTransport openAi;
    private final EmbeddingsTransport customerEndpoints;
    private EmbeddingModel quantized;
    private boolean closed;

    /** Without the int8 variant (asking for it fails as for an unknown model) nor customers' own base URLs. */
    public EmbeddingModels(EmbeddingModel local, ProviderCredentials credentials) {
        this(local, () -> {
            throw new UnavailableModelException("the embedding model '" + MiniLmEmbeddingModel.QUANTIZED_ID
                    + "' is not available");
        }, credentials, (uri, headers, body, timeout) -> CompletableFuture.failedFuture(
                new UnavailableModelException("a provider base URL of your own is not available here")));
    }

    /**
     * @param loadQuantized     loads the local model's int8 variant; called once, when it is first needed
     * @param customerEndpoints how requests reach a base URL a customer gave: it must connect only where our
     *                          network policy allows, at the moment it connects
     */
    public EmbeddingModels(EmbeddingModel local, Supplier<EmbeddingModel> loadQuantized,
                           ProviderCredentials credentials, EmbeddingsTransport customerEndpoints) {
        this.local = local;
        this.loadQuantized = loadQuantized;
        this.credentials = credentials;
        this.openAi = EmbeddingsTransport.of(OpenAiEmbeddingModel.newHttpClient(
                OpenAiSettings.of(OpenAiSettings.OPENAI_BASE_URL, "text-embedding-3-small")));
        this.customerEndpoints = customerEndpoints;
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
        if (modelId.equals(MiniLmEmbeddingModel.QUANTIZED_ID)) {
            return new Handle(quantized(), false);
        }
        if (!OPENAI_MODELS.contains(modelId)) {
            throw new UnavailableModelException("the embedding model '" + modelId + "' is not available");
        }
        ProviderCredentials.ProviderKey key = credentials.find(customerId, "openai").orElseThrow(() ->
                new UnavailableModelException("the embedding model '" + modelId + "' needs your OpenAI key; "
                        + "set it with PUT /v1/customer/provider-key"));
        if (key.baseUrl() == null) {
            return new Handle(new OpenAiEmbeddingModel(OpenAiSettings.of(OpenAiSettings.OPENAI_BASE_URL, modelId),
                    key.apiKey(), openAi), true);
        }
        return new Handle(new OpenAiEmbeddingModel(OpenAiSettings.of(key.baseUrl(), modelId), key.apiKey(),
                customerEndpoints), true);
    }

    private synchronized EmbeddingModel quantized() {
        if (closed) {
            throw new IllegalStateException("the embedding models are closed");
        }
        if (quantized == null) {
            quantized = loadQuantized.get();
        }
        return quantized;
    }

    @Override
    public synchronized void close() throws Exception {
        closed = true;
        if (quantized != null) {
            quantized.close();
        }
    }

    /** The model cannot be used for this customer; retrying will not help until its settings change. */
    public static final class UnavailableModelException extends RuntimeException {
        public UnavailableModelException(String message) {
            super(message);
        }
    }
}
