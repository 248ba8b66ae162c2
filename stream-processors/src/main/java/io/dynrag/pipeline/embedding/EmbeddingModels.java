package io.dynrag.pipeline.embedding;

import io.dynrag.pipeline.embedding.openai.EmbeddingsTransport;
import io.dynrag.pipeline.embedding.openai.OpenAiEmbeddingModel;
import io.dynrag.pipeline.embedding.openai.OpenAiSettings;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The embedding model for a customer's documents: the default local model, another local model
 * (MiniLM's int8 variant, bge-small in fp32 or int8: each loaded when first asked for), or an OpenAI
 * model called with the customer's own key. A dataset holds one model's vectors, so the model id also
 * names the dataset, and fp32 and int8 vectors never meet. Closing releases the other local models
 * that were loaded; the default one belongs to whoever passed it in. OpenAI's own endpoint is called
 * with the JDK's client; a customer's own base URL only through the transport given for those.
 */
public final class EmbeddingModels implements AutoCloseable {

    static final Set<String> OPENAI_MODELS = Set.of("text-embedding-3-small", "text-embedding-3-large",
            "text-embedding-ada-002");

    private final EmbeddingModel local;
    private final Map<String, Supplier<EmbeddingModel>> loadOthers;
    private final ProviderCredentials credentials;
    private final EmbeddingsTransport openAi;
    private final EmbeddingsTransport customerEndpoints;
    private final Map<String, EmbeddingModel> loaded = new HashMap<>();
    private boolean closed;

    /** Without other local models (asking for one fails as for an unknown model) nor customers' own base URLs. */
    public EmbeddingModels(EmbeddingModel local, ProviderCredentials credentials) {
        this(local, Map.of(), credentials, (uri, headers, body, timeout) -> CompletableFuture.failedFuture(
                new UnavailableModelException("a provider base URL of your own is not available here")));
    }

    /**
     * @param loadOthers        the other local models by id, each loaded once, when it is first needed
     * @param customerEndpoints how requests reach a base URL a customer gave: it must connect only where our
     *                          network policy allows, at the moment it connects
     */
    public EmbeddingModels(EmbeddingModel local, Map<String, Supplier<EmbeddingModel>> loadOthers,
                           ProviderCredentials credentials, EmbeddingsTransport customerEndpoints) {
        this.local = local;
        this.loadOthers = Map.copyOf(loadOthers);
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
        if (loadOthers.containsKey(modelId)) {
            return new Handle(loaded(modelId), false);
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

    private synchronized EmbeddingModel loaded(String modelId) {
        if (closed) {
            throw new IllegalStateException("the embedding models are closed");
        }
        return loaded.computeIfAbsent(modelId, id -> loadOthers.get(id).get());
    }

    @Override
    public synchronized void close() {
        closed = true;
        loaded.values().forEach(EmbeddingModel::close);
    }

    /** The model cannot be used for this customer; retrying will not help until its settings change. */
    public static final class UnavailableModelException extends RuntimeException {
        public UnavailableModelException(String message) {
            super(message);
        }
    }
}
