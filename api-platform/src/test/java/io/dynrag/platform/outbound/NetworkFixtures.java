package io.dynrag.platform.outbound;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Local stand-ins for what a hostile URL meets on a real network: a DNS name that switches its answer, a port
 * that refuses, one that drops connection attempts, one that hangs up. Tests reach them on loopback addresses;
 * {@link #VETTED} (127.0.0.2) is the one the tests' allowlist permits, standing in for a public address, and
 * {@link #INTERNAL} (127.0.0.1) the internal service an attacker is after.
 */
public final class NetworkFixtures {

    public static final InetAddress VETTED = address("127.0.0.2");
    public static final InetAddress INTERNAL = address("127.0.0.1");

    private NetworkFixtures() {
    }

    /**
     * A rebinding attacker's DNS: each name resolves to {@code first} on its first lookup and to {@code then} on
     * every later one, so a check and a second lookup for the connection see different addresses.
     */
    public static final class RebindingResolver implements HostResolver {

        private final InetAddress first;
        private final InetAddress then;
        private final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();

        public RebindingResolver(InetAddress first, InetAddress then) {
            this.first = first;
            this.then = then;
        }

        @Override
        public List<InetAddress> resolve(String host) throws UnknownHostException {
            int earlier = lookups.computeIfAbsent(host, name -> new AtomicInteger()).getAndIncrement();
            return List.of(earlier == 0 ? first : then);
        }

        public int lookups(String host) {
            AtomicInteger count = lookups.get(host);
            return count == null ? 0 : count.get();
        }
    }

    /** An HTTP server on 127.0.0.2 and another on 127.0.0.1, on the same port; the caller stops both. */
    public record TwoServers(HttpServer vetted, HttpServer internal) implements AutoCloseable {

        public int port() {
            return vetted.getAddress().getPort();
        }

        @Override
        public void close() {
            vetted.stop(0);
            internal.stop(0);
        }
    }

    public static TwoServers twoServersOnOnePort(HttpHandler vettedHandler, HttpHandler internalHandler) {
        for (int attempt = 1; ; attempt++) {
            HttpServer vetted = server(new InetSocketAddress(VETTED, 0), vettedHandler);
            try {
                HttpServer internal = server(new InetSocketAddress(INTERNAL, vetted.getAddress().getPort()),
                        internalHandler);
                return new TwoServers(vetted, internal);
            } catch (UncheckedIOException e) {
                vetted.stop(0);
                // The port was free on 127.0.0.2 but taken on 127.0.0.1: try another.
                if (!(e.getCause() instanceof BindException) || attempt == 20) {
                    throw e;
                }
            }
        }
    }

    public static HttpServer server(InetSocketAddress address, HttpHandler handler) {
        try {
            HttpServer server = HttpServer.create(address, 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", handler);
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port on 127.0.0.1 where nothing listens: connections are refused. */
    public static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, INTERNAL)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A port on 127.0.0.1 whose listener never accepts and whose backlog is full, so the kernel drops new
     * connection attempts: they neither open nor are refused, they time out, as behind a dropping firewall.
     */
    public static final class FilteredPort implements AutoCloseable {

        private final ServerSocket listener;
        private final List<Socket> queued = new ArrayList<>();

        public FilteredPort() {
            try {
                listener = new ServerSocket(0, 1, INTERNAL);
                while (true) {
                    Socket socket = new Socket();
                    try {
                        socket.connect(new InetSocketAddress(INTERNAL, listener.getLocalPort()), 300);
                        queued.add(socket);
                    } catch (SocketTimeoutException full) {
                        socket.close();
                        return;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            for (Socket socket : queued) {
                socket.close();
            }
            listener.close();
        }
    }

    /** A port on 127.0.0.1 that accepts every connection and closes it at once, without a byte. */
    public static final class HangUpPort implements AutoCloseable {

        private final ServerSocket listener;

        public HangUpPort() {
            try {
                listener = new ServerSocket(0, 50, INTERNAL);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread.ofVirtual().start(() -> {
                while (!listener.isClosed()) {
                    try (Socket ignored = listener.accept()) {
                        // closed at once
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        public int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
