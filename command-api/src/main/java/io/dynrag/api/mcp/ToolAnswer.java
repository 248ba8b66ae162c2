package io.dynrag.api.mcp;

/**
 * What a tool answers: the structured result (the JSON the corresponding REST route answers, with its citations)
 * and the same for a reader, as text an agent can quote from.
 */
record ToolAnswer(Object structured, String text) {
}
