package io.dynrag.api.document.progress;

import io.dynrag.api.document.DocumentIntake;
import io.dynrag.identity.access.Access;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.platform.http.ApiProblem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code GET /v1/documents/{id}/events}: the document's status changes and progress as Server-Sent
 * Events, until it reaches a final status (or a time limit: reconnect to continue). The stream is told of
 * changes by {@link DocumentWatches}; it never polls. It counts against the customer's rate limit once
 * when it opens and once more for each further minute it stays open.
 */
public final class DocumentEventsEndpoint implements Consumer<RoutesConfig> {

    /** Streams end when their documents are indexed, typically within a minute. */
    private static final Duration RETRY_WHEN_FULL = Duration.ofSeconds(10);
    private static final Duration FIRST_STATE_WAIT = Duration.ofSeconds(10);

    private final Access access;
    private final DocumentIntake intake;
    private final DocumentStreams streams;

    public DocumentEventsEndpoint(Access access, DocumentIntake intake, DocumentStreams streams) {
        this.access = access;
        this.intake = intake;
        this.streams = streams;
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.get("/v1/documents/{documentId}/events", this::events);
    }

    private void events(Context ctx) {
        // Checked before the stream starts, so a refusal is an ordinary problem+json answer.
        Access.CustomerCaller caller = access.customer(ctx, Scope.READ);
        String documentId = intake.existing(caller.customerId(), ctx.pathParam("documentId")).documentId();
        String accept = Optional.ofNullable(ctx.header("Accept")).orElse("");
        if (!accept.contains("text/event-stream")) {
            throw new ApiProblem(406, "Not Acceptable", "this endpoint streams Server-Sent Events: send "
                    + "'Accept: text/event-stream'");
        }
        DocumentStream stream;
        try {
            stream = streams.open(caller.customerId(), documentId, () -> access.countAgain(caller));
        } catch (DocumentStreams.LimitReached e) {
            ctx.header("Retry-After", Long.toString(RETRY_WHEN_FULL.toSeconds()));
            throw new ApiProblem(429, "Too Many Requests", e.getMessage());
        }
        try {
            if (!stream.awaitFirstState(FIRST_STATE_WAIT)) {
                ctx.header("Retry-After", "1");
                throw ApiProblem.unavailable("the document could not be read just now; retry shortly");
            }
            new SseHandler(0, client -> {
                client.keepAlive();
                ClientDisconnects.whenGone(ctx, stream::stop);
                stream.run(new SseSink(client));
            }).handle(ctx);
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    private record SseSink(SseClient client) implements DocumentStream.Sink {

        @Override
        public boolean event(String name, Object data) {
            client.sendEvent(name, data);
            return !client.terminated();
        }

        @Override
        public boolean comment(String text) {
            client.sendComment(text);
            return !client.terminated();
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
