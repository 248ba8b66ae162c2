package io.dynrag.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An S3-compatible HTTP server inside this JVM, for {@code dev} and tests. Buckets are directories
 * and objects are files under the given directory, so they survive restarts. Requests must be
 * signed (AWS signature V2 or V4) with the given access key and secret.
 */
public final class EmbeddedS3 implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedS3.class);

    private static final String LOOPBACK = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final S3Proxy server;
    private final URI endpoint;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedS3(S3Proxy server, URI endpoint) {
        this.server = server;
        this.endpoint = endpoint;
    }

    /** Starts the server on {@code port}, or on a free port when {@code port} is 0, and waits until it serves. */
    public static EmbeddedS3 start(Path directory, int port, String accessKey, String secretKey) {
        long started = System.nanoTime();
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create S3 directory " + directory, e);
        }
        Properties store = new Properties();
        store.setProperty("jclouds.filesystem.basedir", directory.toAbsolutePath().toString());
        S3Proxy server = S3Proxy.builder()
                .blobStore(BlobStores.create("filesystem", store))
                .endpoint(URI.create("http://" + LOOPBACK + ":" + FreePorts.requireValid(port)))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                // SDK clients keep idle connections open and a graceful stop waits on them; the roles
                // using this server are stopped first, so nothing is in flight when it stops.
                .stopTimeout(0)
                .build();
        try {
            server.start();
            awaitStarted(server);
        } catch (Exception e) {
            stopQuietly(server, e);
            throw new IllegalStateException("S3 server did not start on port " + port, e);
        }
        URI endpoint = URI.create("http://" + LOOPBACK + ":" + server.getPort());
        log.info("S3 API listening on {} with data in {} (started in {} ms)",
                endpoint, directory, (System.nanoTime() - started) / 1_000_000);
        return new EmbeddedS3(server, endpoint);
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Stops at once: requests still in flight are cut off, so stop the roles that use this server first. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                server.stop();
            } catch (Exception e) {
                throw new IllegalStateException("S3 server did not stop cleanly", e);
            }
        }
    }

    private static void awaitStarted(S3Proxy server) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!"STARTED".equals(server.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3 server still " + server.getState() + " after " + START_TIMEOUT);
            }
            Thread.sleep(10);
        }
    }

    private static void stopQuietly(S3Proxy server, Exception cause) {
        try {
            server.stop();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }
}
