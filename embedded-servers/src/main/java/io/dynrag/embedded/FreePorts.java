package io.dynrag.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Picks a port no one listens on right now. Used where a server must be told its port before it
 * binds (the Kafka controller, PostgreSQL); another process may still take it in between, which is
 * acceptable on a developer machine.
 */
public final class FreePorts {

    private FreePorts() {
    }

    public static int pick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }

    /** The requested port, or a free one when it is 0. */
    static int pickUnless(int requestedPort) {
        return requireValid(requestedPort) == 0 ? pick() : requestedPort;
    }

    static int requireValid(int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 (any free port) or 1-65535: " + port);
        }
        return port;
    }
}
