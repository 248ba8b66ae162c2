package io.dynrag.api.document.progress;

import io.javalin.http.Context;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Notices at once that the client of a streamed answer went away. While an answer streams, Jetty reads
 * nothing from its connection, so on its own it learns that the client closed it only when a write fails
 * (the next heartbeat, seconds later). Asking the connection to report when it has something to read
 * makes its end known the moment it arrives.
 *
 * <p>Only for HTTP/1 connections, which a streamed answer closes when it ends anyway; whatever a client
 * sends on one meanwhile is read and dropped.
 */
final class ClientDisconnects {

    private static final int DISCARD_BYTES = 1024;

    private ClientDisconnects() {
    }

    /** Runs {@code gone} once the client has closed the connection of {@code ctx}'s streamed answer. */
    static void whenGone(Context ctx, Runnable gone) {
        if (!ctx.req().getProtocol().startsWith("HTTP/1")) {
            return;
        }
        EndPoint endPoint = ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData()
                .getConnection().getEndPoint();
        awaitReadable(endPoint, gone);
    }

    private static void awaitReadable(EndPoint endPoint, Runnable gone) {
        // Refused when something else waits to read the connection already; the end then shows at the next write.
        endPoint.tryFillInterested(Callback.from(() -> {
            try {
                if (endPoint.fill(BufferUtil.allocate(DISCARD_BYTES)) < 0) {
                    gone.run();
                } else {
                    awaitReadable(endPoint, gone);
                }
            } catch (IOException e) {
                gone.run();
            }
        }, failure -> gone.run()));
    }
}
