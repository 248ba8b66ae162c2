package io.dynrag.vectorstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynrag.embedded.EmbeddedS3;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What makes concurrent commits safe on an object store, seen on the wire: Lance creates each
 * version's manifest with a PUT that carries {@code If-None-Match: *}, so of two writers committing
 * the same version number only one succeeds, and the S3 server (the embedded one here) refuses the
 * other. The requests pass through a relay that keeps what Lance sent.
 */
class ConditionalCommitTest {

    private static final Pattern MANIFEST_PUT = Pattern.compile("PUT (/[^ ]*/_versions/[^ ]*\\.manifest) HTTP/1\\.1\r\n");

    @TempDir
    Path s3Directory;

    @Test
    void everyManifestIsCreatedOnlyIfAbsent() throws Exception {
        try (EmbeddedS3 s3 = ObjectStoreChunkStoreTest.startS3In(s3Directory);
             Relay relay = new Relay(s3.endpoint().getPort())) {
            LanceLocation throughRelay = LanceLocation.s3("s3://" + ObjectStoreChunkStoreTest.BUCKET + "/conditional",
                    URI.create("http://127.0.0.1:" + relay.port()), "us-east-1", "lance-test", "lance-test-secret");
            try (LanceChunkStore store = new LanceChunkStore(throughRelay)) {
                store.replaceDocument("tenant-a", ConcurrentObjectStoreWritesTest.MODEL, "doc-1",
                        ObjectStoreChunkStoreTest.rows("doc-1", 1, 3, "first"));
                store.replaceDocument("tenant-a", ConcurrentObjectStoreWritesTest.MODEL, "doc-2",
                        ObjectStoreChunkStoreTest.rows("doc-2", 1, 3, "second"));
            }
            List<String> manifestPuts = new ArrayList<>();
            String sent = relay.sent();
            Matcher put = MANIFEST_PUT.matcher(sent);
            while (put.find()) {
                int headersEnd = sent.indexOf("\r\n\r\n", put.end());
                String headers = sent.substring(put.end(), headersEnd).toLowerCase(Locale.ROOT);
                assertThat(headers).as("headers of the PUT of %s", put.group(1)).contains("if-none-match: *");
                manifestPuts.add(put.group(1));
            }
            assertThat(manifestPuts).as("manifests written").hasSizeGreaterThanOrEqualTo(4);
        }
    }

    /** Forwards TCP connections to the server's port and keeps every byte sent to it, by connection. */
    private static final class Relay implements AutoCloseable {

        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<ByteArrayOutputStream> sent = new ArrayList<>();
        private final List<Socket> sockets = new ArrayList<>();

        Relay(int serverPort) throws IOException {
            Thread.ofVirtual().start(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket client = listener.accept();
                        Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
                        synchronized (sockets) {
                            sockets.add(client);
                            sockets.add(server);
                        }
                        ByteArrayOutputStream requests = new ByteArrayOutputStream();
                        synchronized (sent) {
                            sent.add(requests);
                        }
                        Thread.ofVirtual().start(() -> copy(client, server, requests));
                        Thread.ofVirtual().start(() -> copy(server, client, new ByteArrayOutputStream()));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        int port() {
            return listener.getLocalPort();
        }

        String sent() {
            StringBuilder all = new StringBuilder();
            synchronized (sent) {
                for (ByteArrayOutputStream requests : sent) {
                    synchronized (requests) {
                        all.append(requests.toString(StandardCharsets.ISO_8859_1)).append("\r\n\r\n");
                    }
                }
            }
            return all.toString();
        }

        private static void copy(Socket from, Socket to, ByteArrayOutputStream kept) {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                    synchronized (kept) {
                        kept.write(buffer, 0, read);
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException connectionClosed) {
                // One side closed the connection: so does the relay.
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            synchronized (sockets) {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
        }
    }
}
