package io.dynrag.api.mcp;

import io.dynrag.identity.credentials.Scope;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;

/**
 * A tool of the MCP server: its name, description and input schema as clients list them, the scope an API key
 * needs to call it (the scope of the REST route it stands for) and what it does.
 */
record McpTool(McpSchema.Tool definition, Scope scope, Handler handler) {

    /** What a tool does for the caller's customer; refuses with the services' exceptions, as the REST routes do. */
    @FunctionalInterface
    interface Handler {
        ToolAnswer call(String customerId, Arguments arguments, McpCall call);
    }

    /**
     * @param inputSchema a JSON Schema of the arguments object
     */
    static McpTool of(String name, String title, String description, String inputSchema, boolean readOnly,
                      Scope scope, Handler handler) {
        McpSchema.Tool definition = McpSchema.Tool.builder()
                .name(name)
                .title(title)
                .description(description)
                .inputSchema(McpJsonDefaults.getMapper(), inputSchema)
                .annotations(new McpSchema.ToolAnnotations(title, readOnly, false, readOnly, null, null))
                .build();
        return new McpTool(definition, scope, handler);
    }
}
