package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client of {@code GET /v1/documents/{id}/events} as a browser's EventSource would be: one connection
 * per stream, its events read on a thread of their own as they arrive.
 */
final class DocumentEventStream implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration WAIT = Duration.ofSeconds(120);

    record Event(String name, JsonNode data) {
    }

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Event> unread = new LinkedBlockingQueue<>();
    private final List<Event> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch ended = new CountDownLatch(1);

    private DocumentEventStream(HttpResponse<InputStream> response) {
        this.response = response;
        Thread.ofVirtual().name("event-stream-reader").start(this::read);
    }

    /** Asks for the stream; the answer's body is the stream, or a problem. */
    static HttpResponse<InputStream> request(String baseUrl, String credential, String documentId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/documents/" + documentId
                + "/events")).header("Accept", "text/event-stream").timeout(Duration.ofSeconds(60));
        if (credential != null) {
            request.header("Authorization", "Bearer " + credential);
        }
        try {
            return HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Opens a stream, which must be accepted. */
    static DocumentEventStream open(String baseUrl, String credential, String documentId) {
        HttpResponse<InputStream> response = request(baseUrl, credential, documentId);
        assertThat(response.statusCode()).as(() -> body(response)).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        return new DocumentEventStream(response);
    }

    /** The body of an answer that is not a stream. */
    static String body(HttpResponse<InputStream> response) {
        try (InputStream body = response.body()) {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HttpResponse<InputStream> response() {
        return response;
    }

    /** The next event not taken yet, waiting for it. */
    Event next() throws InterruptedException {
        Event next = unread.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(next).as("an event within " + WAIT).isNotNull();
        return next;
    }

    /** The events received so far. */
    List<Event> received() {
        return List.copyOf(received);
    }

    /** Every event, once the server has ended the stream. */
    List<Event> untilEnd() throws InterruptedException {
        assertThat(ended.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the server ended the stream").isTrue();
        return List.copyOf(received);
    }

    /** Goes away, as a client does that closes its connection. */
    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String name = null;
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:") && name != null) {
                    Event event = new Event(name, JSON.readTree(line.substring(5).strip()));
                    received.add(event);
                    unread.add(event);
                    name = null;
                }
            }
        } catch (IOException e) {
            // Closed by this side.
        } finally {
            ended.countDown();
        }
    }
}
