package io.dynrag.api.mcp;

import java.util.List;

/**
 * What a tool answers: the structured result (the JSON the corresponding REST route answers, with its citations)
 * and the same for a reader, as text an agent can quote from; and for the tool-call log, the documents the answer
 * names and how many results it holds (null for an answer about one document).
 */
record ToolAnswer(Object structured, String text, List<String> documentIds, Integer resultCount) {

    /** An answer about one document. */
    static ToolAnswer of(Object structured, String text, String documentId) {
        return new ToolAnswer(structured, text, List.of(documentId), null);
    }
}
