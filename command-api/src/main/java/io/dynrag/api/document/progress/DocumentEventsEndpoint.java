package io.dynrag.api.document.progress;

import io.dynrag.api.auth.Scope;
import io.dynrag.api.document.DocumentIntake;
import io.dynrag.api.document.DocumentLookup;
import io.dynrag.api.document.DocumentView;
import io.dynrag.api.http.Access;
import io.dynrag.api.http.ApiProblem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code GET /v1/documents/{id}/events}: the document's status changes and progress as
 * Server-Sent Events, until it reaches a final status (or a time limit: reconnect to continue).
 */
public final class DocumentEventsEndpoint implements Consumer<RoutesConfig> {

    private static final Set<String> FINAL = Set.of("INDEXED", "FAILED", "DELETED");
    private static final Duration POLL = Duration.ofMillis(300);
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);
    private static final Duration LONGEST_STREAM = Duration.ofMinutes(30);

    private final Access access;
    private final DocumentIntake intake;
    private final DocumentLookup documents;

    /** @param documents fresh answers (the events, with progress), read every few hundred milliseconds */
    public DocumentEventsEndpoint(Access access, DocumentIntake intake, DocumentLookup documents) {
        this.access = access;
        this.intake = intake;
        this.documents = documents;
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.get("/v1/documents/{documentId}/events", this::events);
    }

    private void events(Context ctx) {
        // Checked before the stream starts, so a refusal is an ordinary problem+json answer.
        String customerId = access.customer(ctx, Scope.READ).customerId();
        String documentId = intake.existing(customerId, ctx.pathParam("documentId")).documentId();
        String accept = Optional.ofNullable(ctx.header("Accept")).orElse("");
        if (!accept.contains("text/event-stream")) {
            throw new ApiProblem(406, "Not Acceptable", "this endpoint streams Server-Sent Events: send "
                    + "'Accept: text/event-stream'");
        }
        new SseHandler(0, client -> stream(client, customerId, documentId)).handle(ctx);
    }

    private void stream(SseClient client, String customerId, String documentId) {
        client.keepAlive();
        long deadline = System.nanoTime() + LONGEST_STREAM.toNanos();
        long lastSent = System.nanoTime();
        String lastStatus = null;
        DocumentView.Progress lastProgress = null;
        while (!client.terminated() && System.nanoTime() < deadline) {
            Optional<DocumentView> view = documents.find(customerId, documentId);
            if (view.isEmpty()) {
                break;
            }
            String status = view.get().status() + "@" + view.get().version();
            if (!status.equals(lastStatus)) {
                client.sendEvent("status", view.get().withProgress(null));
                lastStatus = status;
                lastSent = System.nanoTime();
            }
            if (view.get().progress() != null && !Objects.equals(view.get().progress(), lastProgress)) {
                client.sendEvent("progress", view.get().progress());
                lastProgress = view.get().progress();
                lastSent = System.nanoTime();
            }
            if (FINAL.contains(view.get().status())) {
                break;
            }
            if (System.nanoTime() - lastSent > HEARTBEAT.toNanos()) {
                client.sendComment("still working");
                lastSent = System.nanoTime();
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        client.close();
    }
}
