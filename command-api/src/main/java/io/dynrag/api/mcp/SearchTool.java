package io.dynrag.api.mcp;

import io.dynrag.api.search.SearchHit;
import io.dynrag.api.search.SearchService;
import io.dynrag.identity.credentials.Scope;

/** {@code search}: {@code POST /v1/search} as a tool, its arguments the request's fields. */
final class SearchTool {

    private static final String SCHEMA = """
            {
              "type": "object",
              "properties": {
                "query": {"type": "string", "minLength": 1, "maxLength": 2000,
                          "description": "What to look for, in words."},
                "topK": {"type": "integer", "minimum": 1, "maximum": 100,
                         "description": "How many chunks to answer (default 10)."},
                "mode": {"type": "string", "enum": ["hybrid", "vector", "keyword"],
                         "description": "hybrid (default) fuses meaning and keywords; vector is meaning only, keyword is BM25 only."},
                "keywordWeight": {"type": "number", "minimum": 0, "maximum": 1,
                                  "description": "hybrid only: the keyword ranking's share of the score (default 0.5)."},
                "maxChunksPerDocument": {"type": "integer", "minimum": 1,
                                         "description": "At most this many chunks of one document."},
                "minScore": {"type": "number", "description": "No chunk whose score is lower."},
                "filter": {"type": "object",
                           "description": "Only documents this filter keeps, e.g. {\\"metadata.team\\": \\"search\\"} (the filter language of the REST API)."},
                "documentIds": {"type": "array", "items": {"type": "string"}, "maxItems": 1000,
                                "description": "Only these documents."},
                "asOf": {"type": "string",
                         "description": "An ISO-8601 instant such as 2026-01-31T12:00:00Z: search the documents as they were then."},
                "documentId": {"type": "string", "description": "Only this document."},
                "version": {"type": "integer", "minimum": 1,
                            "description": "With documentId: search that version of the document, as it was indexed."},
                "rerank": {"type": "boolean",
                           "description": "Reorder the chunks with the customer's rerank model (default false)."}
              },
              "required": ["query"],
              "additionalProperties": false
            }
            """;

    private SearchTool() {
    }

    static McpTool of(SearchService search) {
        return McpTool.of("search", "Search documents",
                "Searches the customer's indexed documents and answers the best matching chunks, each with its "
                        + "citation: document id and title, version, chunk index and page. Needs the 'search' scope.",
                SCHEMA, true, Scope.SEARCH, (customerId, arguments, call) -> {
                    SearchService.SearchResponse response = search.search(customerId,
                            arguments.as(SearchService.SearchRequest.class));
                    call.searchAnswered();
                    return new ToolAnswer(response, text(response),
                            response.results().stream().map(SearchHit::documentId).distinct().toList(),
                            response.results().size());
                });
    }

    private static String text(SearchService.SearchResponse response) {
        if (response.results().isEmpty()) {
            return "No chunk matched.";
        }
        StringBuilder text = new StringBuilder(response.results().size() + " matching chunks, best first:\n");
        int rank = 1;
        for (SearchHit hit : response.results()) {
            text.append("\n[").append(rank++).append("] ")
                    .append(Citations.of(hit.documentId(), hit.title(), hit.version(), hit.chunkIndex(), hit.page()))
                    .append(String.format(" score %.4f", hit.score())).append('\n')
                    .append(hit.text()).append('\n');
        }
        return text.toString();
    }
}
