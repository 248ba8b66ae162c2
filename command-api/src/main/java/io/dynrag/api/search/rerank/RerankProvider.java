package io.dynrag.api.search.rerank;

import java.net.URI;
import java.util.Map;

/**
 * A provider of the common rerank API ({@code POST {baseUrl}/rerank}, Bearer key, {@code model}, {@code query},
 * {@code documents} in, relevance scores out) and where it listens unless the customer's key names another base
 * URL (a proxy, a compatible server).
 *
 * @param baseUrl    the provider's own, with its API version: {@code /rerank} is appended
 * @param topNField  the request field that bounds how many results come back: Voyage calls it {@code top_k}
 */
record RerankProvider(String name, URI baseUrl, String topNField) {

    static final Map<String, RerankProvider> BY_NAME = Map.of(
            "cohere", new RerankProvider("cohere", URI.create("https://api.cohere.com/v2"), "top_n"),
            "jina", new RerankProvider("jina", URI.create("https://api.jina.ai/v1"), "top_n"),
            "voyage", new RerankProvider("voyage", URI.create("https://api.voyageai.com/v1"), "top_k"));
}
