package io.dynrag.api.search;

import io.dynrag.domain.search.RerankModel;

import java.util.List;

/** Asks a customer's rerank provider how relevant each of a search's candidates is to the query. */
@FunctionalInterface
public interface Reranker {

    /** @param documents the candidates' texts, best first as the search ranked them */
    Reranked rerank(String customerId, RerankModel model, String query, List<String> documents, int topN);

    /**
     * @param relevances at most {@code topN} of the documents, most relevant first, each by its index in
     *                   {@code documents}
     * @param tokens     tokens of the query and the documents, as the provider counted them (or an estimate)
     */
    record Reranked(List<Relevance> relevances, long tokens) {
    }

    /** @param score the provider's relevance score; higher is more relevant, on the provider's own scale */
    record Relevance(int index, double score) {
    }
}
