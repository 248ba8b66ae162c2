package io.dynrag.api.mcp;

import io.dynrag.api.document.DocumentIntake;
import io.dynrag.api.document.UrlIntake;
import io.dynrag.domain.DomainRuleViolation;
import io.dynrag.domain.document.DocumentMetadata;
import io.dynrag.identity.access.Access;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.platform.idempotency.IdempotencyKey;
import io.dynrag.platform.idempotency.IdempotentCalls;
import io.dynrag.platform.idempotency.NewIds;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tools that add documents, as {@code POST /v1/documents} does (the same intake, its limits, budget and
 * audit): from a URL, or from text the agent has. Both need the 'ingest' scope and answer at once; the document is
 * indexed in the background ({@code document_status} tells when).
 *
 * <p>An {@value #KEY} argument makes a call safe to retry, as the {@code Idempotency-Key} header makes an upload: a
 * tool call cannot carry its own header (a client sends the same headers with every message of its connection),
 * so the key is an argument. Its schema says only "string" so that a malformed key is refused in the header's
 * words, naming the argument.
 */
final class IntakeTools {

    private static final String KEY = "idempotencyKey";

    private static final String FROM_URL = """
            {
              "type": "object",
              "properties": {
                "url": {"type": "string", "minLength": 1, "description": "An http(s) URL of a page or file to fetch and index."},
                "title": {"type": "string", "maxLength": 500, "description": "The title (default: the page's)."},
                "metadata": {"type": "object", "description": "Metadata keys and values to filter searches by."},
                "idempotencyKey": {"type": "string", "description": "A new value (a UUID) for each new document, the same when retrying this call: a retry with the same key and arguments answers the first call's document and adds nothing. 1 to 255 printable ASCII characters without spaces."}
              },
              "required": ["url"],
              "additionalProperties": false
            }
            """;

    private static final String TEXT = """
            {
              "type": "object",
              "properties": {
                "title": {"type": "string", "minLength": 1, "maxLength": 500, "description": "The document's title."},
                "text": {"type": "string", "minLength": 1, "description": "The document's text."},
                "format": {"type": "string", "enum": ["markdown", "text"],
                           "description": "How the text is written (default markdown): headings guide its chunking."},
                "metadata": {"type": "object", "description": "Metadata keys and values to filter searches by."},
                "idempotencyKey": {"type": "string", "description": "A new value (a UUID) for each new document, the same when retrying this call: a retry with the same key and arguments answers the first call's document and adds nothing. 1 to 255 printable ASCII characters without spaces."}
              },
              "required": ["title", "text"],
              "additionalProperties": false
            }
            """;

    /** What the tools answer: as {@code POST /v1/documents}'s 202. */
    record Accepted(String documentId, int version, String status) {
    }

    private final DocumentIntake intake;
    private final UrlIntake urls;
    private final IdempotentCalls keyed;

    IntakeTools(DocumentIntake intake, UrlIntake urls, IdempotentCalls keyed) {
        this.intake = intake;
        this.urls = urls;
        this.keyed = keyed;
    }

    List<McpTool> tools() {
        return List.of(
                McpTool.of("add_document_from_url", "Add a document from a URL",
                        "Fetches the page or file at a URL and adds it as a new document, to be indexed in the "
                                + "background; call document_status until it is INDEXED. Pass a new idempotencyKey "
                                + "to retry safely.",
                        FROM_URL, false, Scope.INGEST, (customerId, arguments, call) -> {
                            UrlIntake.UrlRequest request = arguments.without(KEY).as(UrlIntake.UrlRequest.class);
                            return answer(once(call, "add_document_from_url", arguments,
                                    ids -> accepted(urls.create(customerId, request, ids, 0))));
                        }),
                McpTool.of("add_text_document", "Add a text document",
                        "Adds text as a new document with a title, to be indexed in the background; call "
                                + "document_status until it is INDEXED. Pass a new idempotencyKey to retry safely.",
                        TEXT, false, Scope.INGEST, (customerId, arguments, call) -> {
                            DocumentIntake.Content content = text(arguments);
                            return answer(once(call, "add_text_document", arguments,
                                    ids -> accepted(intake.create(customerId, content, ids, 0))));
                        }));
    }

    /**
     * Adds the document once per key: a retry of the same call answers what the first answered. The arguments
     * were checked before, so a malformed call leaves its key unused.
     */
    private Accepted once(McpCall call, String tool, Arguments arguments, IdempotentCalls.Call<Accepted> add) {
        Optional<IdempotencyKey> key = IdempotencyKey.fromArgument(KEY, arguments.text(KEY));
        if (key.isEmpty()) {
            return add.run(NewIds.random());
        }
        return keyed.run(new IdempotentCalls.Request(Access.idempotencyCaller(call.principal()), KEY, key.get(),
                "MCP", tool, arguments.without(KEY).sha256()), Accepted.class, add);
    }

    private static DocumentIntake.Content text(Arguments arguments) {
        String title = arguments.requiredText("title");
        byte[] text = arguments.requiredText("text").getBytes(StandardCharsets.UTF_8);
        String format = arguments.text("format");
        String name = format == null || format.equals("markdown") ? "document.md" : "document.txt";
        return new DocumentIntake.Content(name, title, () -> new ByteArrayInputStream(text), metadata(arguments));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(Arguments arguments) {
        Object metadata = arguments.value("metadata");
        if (metadata != null && !(metadata instanceof Map)) {
            throw new DomainRuleViolation("'metadata' must be an object of keys and values");
        }
        // Refused before anything is stored, as a URL's metadata is before anything is fetched.
        DocumentMetadata.checked((Map<String, Object>) metadata);
        return (Map<String, Object>) metadata;
    }

    private static Accepted accepted(DocumentIntake.Accepted accepted) {
        return new Accepted(accepted.documentId(), accepted.version(), accepted.status());
    }

    private static ToolAnswer answer(Accepted accepted) {
        return ToolAnswer.of(accepted, "Added document " + accepted.documentId() + " (version " + accepted.version()
                + ", " + accepted.status() + "); it is indexed in the background: call document_status with this "
                + "documentId until it is INDEXED, then search it.", accepted.documentId());
    }
}
