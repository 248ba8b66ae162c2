package io.dynrag.api.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dynrag.api.document.DocumentChunks;
import io.dynrag.api.document.DocumentChunksEndpoints;
import io.dynrag.api.document.DocumentIntake;
import io.dynrag.api.document.DocumentListEndpoints;
import io.dynrag.api.document.DocumentListItem;
import io.dynrag.api.document.DocumentNotFoundException;
import io.dynrag.api.document.DocumentReads;
import io.dynrag.api.document.DocumentStates;
import io.dynrag.api.document.DocumentView;
import io.dynrag.domain.DomainRuleViolation;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.platform.http.Json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tools that read documents, each the REST route it names: {@code list_documents} ({@code GET /v1/documents}),
 * {@code get_document} ({@code GET /v1/documents/{id}} and its versions), {@code document_status} and
 * {@code read_document} ({@code GET /v1/documents/{id}/chunks}). All need the 'read' scope.
 */
final class DocumentTools {

    private static final String DOCUMENT_ID = """
            {
              "type": "object",
              "properties": {"documentId": {"type": "string", "description": "The document's id."}},
              "required": ["documentId"],
              "additionalProperties": false
            }
            """;

    private static final String LIST = """
            {
              "type": "object",
              "properties": {
                "limit": {"type": "integer", "minimum": 1, "maximum": 200, "description": "Documents per page (default 50)."},
                "cursor": {"type": "string", "description": "The previous page's nextCursor, with the same sort and order."},
                "status": {"type": "array", "items": {"type": "string", "enum": ["PENDING", "PROCESSING", "INDEXED", "FAILED", "DELETED"]},
                           "description": "Only documents whose latest version has one of these statuses."},
                "contentType": {"type": "array", "items": {"type": "string"}, "description": "Only these content types."},
                "titlePrefix": {"type": "string", "description": "Only titles that start with this."},
                "createdAfter": {"type": "string", "description": "An ISO-8601 instant."},
                "createdBefore": {"type": "string", "description": "An ISO-8601 instant."},
                "updatedAfter": {"type": "string", "description": "An ISO-8601 instant."},
                "updatedBefore": {"type": "string", "description": "An ISO-8601 instant."},
                "metadata": {"type": "object", "additionalProperties": {"type": ["string", "array"], "items": {"type": "string"}},
                             "description": "Only documents whose metadata key has this value (or one of these values)."},
                "filter": {"type": "object", "description": "A filter object of the REST API's filter language."},
                "sort": {"type": "string", "enum": ["updatedAt", "createdAt", "title"]},
                "order": {"type": "string", "enum": ["asc", "desc"]},
                "asOf": {"type": "string", "description": "An ISO-8601 instant: the list as it was then."}
              },
              "additionalProperties": false
            }
            """;

    private static final String READ = """
            {
              "type": "object",
              "properties": {
                "documentId": {"type": "string", "description": "The document's id."},
                "version": {"type": "integer", "minimum": 1, "description": "This version (default: the latest indexed one)."},
                "asOf": {"type": "string", "description": "An ISO-8601 instant: the latest version indexed then."},
                "limit": {"type": "integer", "minimum": 1, "maximum": 200, "description": "Chunks per page (default 50)."},
                "cursor": {"type": "string", "description": "The previous page's nextCursor."}
              },
              "required": ["documentId"],
              "additionalProperties": false
            }
            """;

    private final DocumentReads reads;
    private final DocumentIntake intake;
    private final DocumentListEndpoints list;
    private final DocumentChunksEndpoints chunks;

    DocumentTools(DocumentReads reads, DocumentIntake intake, DocumentListEndpoints list,
                  DocumentChunksEndpoints chunks) {
        this.reads = reads;
        this.intake = intake;
        this.list = list;
        this.chunks = chunks;
    }

    /** A document's latest version with its status, and all its versions. */
    record DocumentWithVersions(DocumentView document, List<DocumentView> versions) {
    }

    /** Whether the document can be searched yet, for an agent waiting for its indexing. */
    record Status(String documentId, int version, String status, boolean searchable, DocumentView.Progress progress,
                  String failureReason) {
    }

    /** A page of chunks, each citable with the document's title. */
    record ChunkPage(String documentId, String title, int version, String model, List<DocumentChunks.Chunk> chunks,
                     String nextCursor) {
    }

    List<McpTool> tools() {
        return List.of(
                McpTool.of("list_documents", "List documents",
                        "Lists the customer's documents, newest first, filtered and paged like GET /v1/documents.",
                        LIST, true, Scope.READ, (customerId, arguments, call) -> listed(customerId, arguments)),
                McpTool.of("get_document", "Get a document",
                        "A document: its title, metadata, status and every version with its own status.",
                        DOCUMENT_ID, true, Scope.READ, (customerId, arguments, call) -> document(customerId,
                                arguments.requiredText("documentId"))),
                McpTool.of("document_status", "Document status",
                        "Whether a document's latest version is indexed (searchable) yet, or how far its processing "
                                + "is; call it again until the status is INDEXED or FAILED.",
                        DOCUMENT_ID, true, Scope.READ, (customerId, arguments, call) -> status(customerId,
                                arguments.requiredText("documentId"))),
                McpTool.of("read_document", "Read a document",
                        "The text of an indexed document version, chunk by chunk in order, paged; each chunk "
                                + "citable by its index and page.",
                        READ, true, Scope.READ, (customerId, arguments, call) -> read(customerId, arguments)));
    }

    private ToolAnswer listed(String customerId, Arguments arguments) {
        DocumentListEndpoints.DocumentPage page = list.page(customerId, parameters(arguments));
        StringBuilder text = new StringBuilder(page.documents().size() + " documents");
        for (DocumentListItem item : page.documents()) {
            text.append("\n- \"").append(item.title()).append("\" (document ").append(item.documentId())
                    .append(", version ").append(item.version()).append(", ").append(item.status()).append(')');
        }
        if (page.nextCursor() != null) {
            text.append("\nMore on the next page: cursor ").append(page.nextCursor());
        }
        return new ToolAnswer(page, text.toString(),
                page.documents().stream().map(DocumentListItem::documentId).toList(), page.documents().size());
    }

    /** The list's query parameters from the arguments: {@code metadata} as {@code metadata.<key>}, JSON filters. */
    private static Map<String, List<String>> parameters(Arguments arguments) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        arguments.values().forEach((name, value) -> {
            switch (name) {
                case "metadata" -> {
                    if (!(value instanceof Map<?, ?> metadata)) {
                        throw new DomainRuleViolation("'metadata' must be an object of keys and values");
                    }
                    metadata.forEach((key, values) -> parameters.put("metadata." + key, strings(values)));
                }
                case "filter" -> parameters.put(name, List.of(json(value)));
                default -> parameters.put(name, strings(value));
            }
        });
        return parameters;
    }

    private static List<String> strings(Object value) {
        if (value instanceof List<?> values) {
            return values.stream().map(String::valueOf).toList();
        }
        return List.of(String.valueOf(value));
    }

    private static String json(Object value) {
        try {
            return Json.apiMapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new DomainRuleViolation("'filter' must be a JSON object");
        }
    }

    private ToolAnswer document(String customerId, String documentId) {
        DocumentView document = current(customerId, documentId);
        DocumentStates.DocumentState state = intake.existing(customerId, document.documentId());
        List<DocumentView> versions = reads.versions(customerId, state);
        StringBuilder text = new StringBuilder("\"" + document.title() + "\" (document " + document.documentId()
                + "), " + document.contentType() + ", latest version " + document.version() + " "
                + document.status());
        versions.forEach(version -> text.append("\n- version ").append(version.version()).append(": ")
                .append(version.status()).append(version.chunks() == null ? "" : ", " + version.chunks() + " chunks"));
        return ToolAnswer.of(new DocumentWithVersions(document, versions), text.toString(), document.documentId());
    }

    private ToolAnswer status(String customerId, String documentId) {
        DocumentView document = current(customerId, documentId);
        boolean searchable = "INDEXED".equals(document.status());
        Status status = new Status(document.documentId(), document.version(), document.status(), searchable,
                document.progress(), document.failureReason());
        String text = "Version " + document.version() + " of document " + document.documentId() + " is "
                + document.status()
                + (document.progress() == null ? "" : " (" + document.progress().stage() + ", "
                        + document.progress().chunksEmbedded() + " of " + document.progress().chunksTotal()
                        + " chunks embedded)")
                + (document.failureReason() == null ? "" : ": " + document.failureReason())
                + (searchable ? "; it can be searched." : "");
        return ToolAnswer.of(status, text, document.documentId());
    }

    private DocumentView current(String customerId, String documentId) {
        return reads.current(customerId, documentId).orElseThrow(() -> new DocumentNotFoundException(documentId));
    }

    private ToolAnswer read(String customerId, Arguments arguments) {
        DocumentChunksEndpoints.ChunkPage page = chunks.page(customerId, arguments.requiredText("documentId"),
                arguments::parameter);
        String title = reads.current(customerId, page.documentId()).map(DocumentView::title).orElse(null);
        StringBuilder text = new StringBuilder();
        for (DocumentChunks.Chunk chunk : page.chunks()) {
            text.append(Citations.of(page.documentId(), title, page.version(), chunk.chunkIndex(), chunk.page()))
                    .append('\n').append(chunk.text()).append("\n\n");
        }
        if (page.nextCursor() != null) {
            text.append("More on the next page: cursor ").append(page.nextCursor());
        }
        return new ToolAnswer(new ChunkPage(page.documentId(), title, page.version(), page.model(), page.chunks(),
                page.nextCursor()), text.toString().strip(), List.of(page.documentId()), page.chunks().size());
    }
}
