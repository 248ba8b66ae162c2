package io.dynrag.api.document;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.dynrag.domain.document.DocumentDeletedException;
import io.dynrag.domain.document.DocumentStatus;
import io.dynrag.identity.access.Access;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.http.QueryParameters;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * {@code GET /v1/documents/{documentId}/chunks}: the chunks of an indexed version, read from the dataset version its
 * indexing recorded, so an old version or the past reads exactly as it was indexed.
 */
public final class DocumentChunksEndpoints implements Consumer<RoutesConfig> {

    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 200;
    private static final String CURSOR_PREFIX = "k1";

    private final Access access;
    private final DocumentIntake intake;
    private final EventStoreDocumentLookup history;
    private final DocumentChunks chunks;
    private final RetainedVersions retained;

    /** @param retained what the cleanup of the datasets' history kept: an older version's chunks are gone */
    public DocumentChunksEndpoints(Access access, DocumentIntake intake, EventStoreDocumentLookup history,
                                   DocumentChunks chunks, RetainedVersions retained) {
        this.access = access;
        this.intake = intake;
        this.history = history;
        this.chunks = chunks;
        this.retained = retained;
    }

    /** @param nextCursor the next page's cursor; absent on the last page */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChunkPage(String documentId, int version, String model, List<DocumentChunks.Chunk> chunks,
                            String nextCursor) {
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.get("/v1/documents/{documentId}/chunks", this::chunks);
    }

    /** The latest indexed version, the one named by {@code version}, or the latest indexed at {@code asOf}. */
    private void chunks(Context ctx) {
        String customerId = access.customer(ctx, Scope.READ).customerId();
        ctx.json(page(customerId, ctx.pathParam("documentId"), ctx::queryParam));
    }

    /**
     * The page the query parameters ask for ({@code version}, {@code asOf}, {@code limit}, {@code cursor}); also
     * the MCP tool's, whose arguments are these parameters.
     */
    public ChunkPage page(String customerId, String documentId, UnaryOperator<String> parameters) {
        DocumentStates.DocumentState state = intake.existing(customerId, documentId);
        Optional<Instant> asOf = QueryParameters.instant("asOf", parameters.apply("asOf"));
        String requested = parameters.apply("version");
        if (asOf.isPresent() && requested != null) {
            throw ApiProblem.badRequest("give 'version' or 'asOf', not both");
        }
        if (state.deleted() && asOf.isEmpty()) {
            throw new DocumentDeletedException(state.documentId());
        }
        DocumentView version = version(customerId, state.documentId(), requested, asOf.orElse(Instant.MAX));
        int limit = QueryParameters.limit(parameters.apply("limit"), DEFAULT_LIMIT, MAX_LIMIT);
        long datasetVersion = retained.readable(customerId, version.model(), version.lanceVersion(),
                        () -> !state.deleted() && latestIndexed(customerId, state.documentId()) == version.version())
                .orElseThrow(() -> new ApiProblem(410, "Gone", "version " + version.version() + " of document "
                        + state.documentId() + " was indexed into dataset version " + version.lanceVersion()
                        + ", cleaned up with the history older than your time-travel retention (historyRetentionDays)"));
        int after = after(parameters.apply("cursor"), version.version());
        List<DocumentChunks.Chunk> rest = chunks.chunks(customerId, version.model(), state.documentId(),
                version.version(), datasetVersion).stream().filter(chunk -> chunk.chunkIndex() > after).toList();
        List<DocumentChunks.Chunk> page = rest.subList(0, Math.min(limit, rest.size()));
        String next = rest.size() > limit ? cursor(version.version(), page.getLast().chunkIndex()) : null;
        return new ChunkPage(state.documentId(), version.version(), version.model(), page, next);
    }

    private int latestIndexed(String customerId, String documentId) {
        return history.versionsAsOf(customerId, documentId, Instant.MAX).stream()
                .filter(view -> DocumentStatus.INDEXED.name().equals(view.status()))
                .mapToInt(DocumentView::version).max().orElse(0);
    }

    private DocumentView version(String customerId, String documentId, String requested, Instant asOf) {
        List<DocumentView> versions = history.versionsAsOf(customerId, documentId, asOf);
        if (versions.isEmpty()) {
            throw ApiProblem.notFound("document " + documentId + " did not exist yet at " + asOf);
        }
        if (requested == null) {
            return versions.reversed().stream().filter(view -> DocumentStatus.INDEXED.name().equals(view.status()))
                    .findFirst().orElseThrow(() -> new ApiProblem(409, "Conflict", "document " + documentId
                            + " has no indexed version" + (asOf.equals(Instant.MAX) ? "" : " at " + asOf)
                            + " yet"));
        }
        int number = version(requested);
        DocumentView version = versions.stream().filter(view -> view.version() == number).findFirst()
                .orElseThrow(() -> ApiProblem.notFound("document " + documentId + " has no version " + number));
        if (!DocumentStatus.INDEXED.name().equals(version.status())) {
            throw new ApiProblem(409, "Conflict", "version " + number + " of document " + documentId + " is "
                    + version.status() + "; only indexed versions have chunks");
        }
        return version;
    }

    private static String cursor(int version, int chunkIndex) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((CURSOR_PREFIX + ":" + version + ":"
                + chunkIndex).getBytes(StandardCharsets.US_ASCII));
    }

    /** The chunk index a cursor of this version ends at; -1 without a cursor. */
    private static int after(String cursor, int version) {
        if (cursor == null || cursor.isBlank()) {
            return -1;
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor.strip()), StandardCharsets.US_ASCII)
                    .split(":");
            if (parts.length == 3 && parts[0].equals(CURSOR_PREFIX) && parts[1].equals(Integer.toString(version))) {
                return Integer.parseInt(parts[2]);
            }
        } catch (IllegalArgumentException ignored) {
            // answered below
        }
        throw ApiProblem.badRequest("'cursor' is not a cursor this list handed out for this version; pass a page's "
                + "'nextCursor' as it is, with the same 'version' or 'asOf'");
    }

    /** A {@code version} parameter: a whole number from 1. */
    static int version(String value) {
        try {
            int number = Integer.parseInt(value.strip());
            if (number >= 1) {
                return number;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiProblem.badRequest("'version' must be a whole number from 1");
    }
}
