package io.dynrag.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** The API as a client on loopback sees it: plain HTTP/1.1 requests, JSON answers. */
final class BenchClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Response(int status, String body) {

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON (" + status + "): " + body, e);
            }
        }

        Response expect(int expected) {
            if (status != expected) {
                throw new IllegalStateException("expected " + expected + ", got " + status + ": " + body);
            }
            return this;
        }
    }

    private final String baseUrl;
    private final HttpClient http;

    BenchClient(int port) {
        this.baseUrl = "http://127.0.0.1:" + port;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    Response get(String path, String credential) {
        return send(request(path, credential).GET().build());
    }

    Response postJson(String path, String credential, String json) {
        return send(request(path, credential).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    Response putJson(String path, String credential, String json) {
        return send(request(path, credential).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** A multipart upload of one file, the way the documents endpoints take it. */
    HttpRequest uploadRequest(String path, String credential, String filename, byte[] content) {
        String boundary = "----bench" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream(content.length + 256);
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                + filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return request(path, credential)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build();
    }

    Response upload(String path, String credential, String filename, byte[] content) {
        return send(uploadRequest(path, credential, filename, content));
    }

    /** How many of the customer's documents have this status, from the documents read model. */
    long documentsWithStatus(String apiKey, String status) {
        JsonNode byStatus = get("/v1/metrics/overview", apiKey).expect(200).json().get("documentsByStatus");
        return byStatus.has(status) ? byStatus.get(status).asLong() : 0;
    }

    /**
     * Polls the document until {@code version} is indexed.
     *
     * @return the document as the API shows it then
     * @throws IllegalStateException when the version fails or is not indexed within {@code limit}
     */
    JsonNode awaitIndexed(String apiKey, String documentId, int version, Duration poll, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode view = get("/v1/documents/" + documentId, apiKey).expect(200).json();
            if (view.get("version").asInt() == version) {
                String status = view.get("status").asText();
                if (status.equals("INDEXED")) {
                    return view;
                }
                if (status.equals("FAILED")) {
                    throw new IllegalStateException("version " + version + " of " + documentId + " failed: "
                            + view.get("failureReason"));
                }
            }
            BenchSystem.sleep(poll);
        }
        throw new IllegalStateException("version " + version + " of " + documentId + " not indexed within " + limit);
    }

    CompletableFuture<Response> sendAsync(HttpRequest request) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> new Response(response.statusCode(), response.body()));
    }

    private HttpRequest.Builder request(String path, String credential) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + credential);
    }

    private Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("request to " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
