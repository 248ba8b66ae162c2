package io.dynrag.api.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.domain.DomainRuleViolation;
import io.dynrag.platform.http.Json;

import java.io.IOException;
import java.util.Set;

/**
 * The shape of one JSON-RPC 2.0 message, checked before the MCP transport reads it: the transport refuses a
 * malformed message only as "Invalid message format", and reads some (params of the wrong type) into an internal
 * error. Each refusal here is answered 400, naming the part at fault.
 */
final class JsonRpcMessage {

    private static final Set<String> FIELDS = Set.of("jsonrpc", "id", "method", "params");

    private JsonRpcMessage() {
    }

    /**
     * @throws DomainRuleViolation naming what is missing or wrong (answered 400)
     * @throws IOException  for a body that is not JSON, which the server answers with 400 as on every route
     */
    static void check(byte[] body) throws IOException {
        JsonNode message = Json.apiMapper().readTree(body);
        if (message == null || message.isMissingNode()) {
            throw new DomainRuleViolation("the body is empty: send one JSON-RPC message");
        }
        if (message.isArray()) {
            throw new DomainRuleViolation("a batch (a JSON array) is not accepted: send one JSON-RPC message per "
                    + "request");
        }
        if (!message.isObject()) {
            throw new DomainRuleViolation("the body must be a JSON-RPC message, a JSON object");
        }
        message.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                throw new DomainRuleViolation("'" + name + "' is not a field of a JSON-RPC request; expected "
                        + "'jsonrpc', 'id', 'method' and 'params'");
            }
        });
        if (!"2.0".equals(message.path("jsonrpc").textValue())) {
            throw new DomainRuleViolation("'jsonrpc' must be \"2.0\"");
        }
        JsonNode method = message.path("method");
        if (!method.isTextual() || method.asText().isBlank()) {
            throw new DomainRuleViolation("'method' is required and must be a string, e.g. \"tools/call\"");
        }
        JsonNode id = message.get("id");
        if (id != null && !id.isTextual() && !id.isIntegralNumber()) {
            throw new DomainRuleViolation("'id' must be a string or a whole number");
        }
        JsonNode params = message.get("params");
        if (params != null && !params.isObject()) {
            throw new DomainRuleViolation("'params' must be an object");
        }
        if (method.asText().equals("tools/call")) {
            checkToolCall(params);
        }
    }

    private static void checkToolCall(JsonNode params) {
        if (params == null || !params.path("name").isTextual()) {
            throw new DomainRuleViolation("'params.name' is required and must be the name of a tool");
        }
        JsonNode arguments = params.get("arguments");
        if (arguments != null && !arguments.isObject() && !arguments.isNull()) {
            throw new DomainRuleViolation("'params.arguments' must be an object of the tool's arguments");
        }
    }
}
