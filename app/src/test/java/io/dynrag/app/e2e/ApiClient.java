package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Drives the HTTP API as a client would: plain HTTP, JSON and multipart, no shortcuts; every request and every
 * answer must keep to docs/openapi.json ({@link OpenApiContract}). Public for the dev launcher's tests (module
 * {@code dev}).
 */
public final class ApiClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final int port;
    private final String baseUrl;
    /** False for {@link #outsideContract()}: the requests are not checked, the answers still are. */
    private final boolean requestsInContract;

    public ApiClient(int port) {
        this(port, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), true);
    }

    /**
     * A client of a process's management port ({@code /metrics}, {@code /health/*}): not the API, so nothing of
     * docs/openapi.json applies to it.
     */
    static ApiClient managementPort(int port) {
        return new ApiClient(port).outsideContract();
    }

    private ApiClient(int port, HttpClient http, boolean requestsInContract) {
        this.http = http;
        this.port = port;
        this.baseUrl = "http://127.0.0.1:" + port;
        this.requestsInContract = requestsInContract;
    }

    /**
     * The same API seen from another loopback address: the server throttles failed sign-ins per
     * client address, so a test that provokes failures uses its own address and leaves the others alone.
     */
    ApiClient from(InetAddress localAddress) {
        return new ApiClient(port, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .localAddress(localAddress).build(), requestsInContract);
    }

    /**
     * This client for requests that are outside docs/openapi.json on purpose: a test whose point is the bad input
     * (an unknown field, a wrong type or content type, a missing body, an undeclared route or parameter) sends it
     * through this, at the call site, so that the deliberate breach is visible there. The answers are still held
     * to the contract.
     */
    ApiClient outsideContract() {
        return new ApiClient(port, http, false);
    }

    int port() {
        return port;
    }

    public record Response(int status, String contentType, String body, HttpHeaders headers) {

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }
    }

    /** The headers that present {@code secret} as {@code Authorization: Bearer}. */
    static Map<String, String> bearer(String secret) {
        return Map.of("Authorization", "Bearer " + secret);
    }

    /** The headers that present an API key in {@code X-API-Key}. */
    static Map<String, String> apiKeyHeader(String key) {
        return Map.of("X-API-Key", key);
    }

    String baseUrl() {
        return baseUrl;
    }

    public Response get(String path, String bearer) {
        return send("GET", path, credential(bearer), null);
    }

    public Response postJson(String path, String bearer, String json) {
        return send("POST", path, credential(bearer), json);
    }

    Response putJson(String path, String bearer, String json) {
        return send("PUT", path, credential(bearer), json);
    }

    Response delete(String path, String bearer) {
        return send("DELETE", path, credential(bearer), null);
    }

    Response postRaw(String path, String bearer, String contentType, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>(credential(bearer));
        headers.put("Content-Type", contentType);
        return exchange("POST", path, headers, body);
    }

    /**
     * Any request with exactly the given headers (credentials included, in whatever form the test
     * presents them) and a JSON body; a null body sends none.
     */
    Response send(String method, String path, Map<String, String> headers, String json) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (json != null) {
            all.putIfAbsent("Content-Type", "application/json");
        }
        return exchange(method, path, all, json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8));
    }

    /** A multipart upload with the file in {@code field}; a null filename leaves the file part out. */
    public Response upload(String bearer, String field, String filename, byte[] content, String title) {
        return uploadTo("/v1/documents", credential(bearer), field, filename, content, title);
    }

    /** A multipart upload of {@code filename} in the field {@code file}, after the given text fields. */
    Response uploadWithFields(String bearer, String filename, byte[] content, Map<String, String> fields) {
        String boundary = "----dynrag" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        fields.forEach((name, value) -> write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\""
                + name + "\"\r\n\r\n" + value + "\r\n"));
        write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        body.writeBytes(content);
        write(body, "\r\n--" + boundary + "--\r\n");
        return postRaw("/v1/documents", bearer, "multipart/form-data; boundary=" + boundary, body.toByteArray());
    }

    /** A multipart upload to {@code path} with exactly the given headers besides the content type. */
    Response uploadTo(String path, Map<String, String> headers, String field, String filename, byte[] content,
                      String title) {
        String boundary = "----dynrag" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (title != null) {
            write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n" + title
                    + "\r\n");
        }
        if (filename != null) {
            write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\""
                    + filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n");
            body.writeBytes(content);
            write(body, "\r\n");
        }
        write(body, "--" + boundary + "--\r\n");
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Content-Type", "multipart/form-data; boundary=" + boundary);
        return exchange("POST", path, all, body.toByteArray());
    }

    private static Map<String, String> credential(String bearer) {
        return bearer == null ? Map.of() : bearer(bearer);
    }

    /**
     * Every request (unless sent {@link #outsideContract()}) and every answer is held to docs/openapi.json: see
     * {@link OpenApiContract}. The request is checked before it is sent, so a breach fails where it is made.
     */
    private Response exchange(String method, String path, Map<String, String> headers, byte[] body) {
        URI uri = URI.create(baseUrl + path);
        if (requestsInContract) {
            String contentType = headers.entrySet().stream()
                    .filter(header -> header.getKey().equalsIgnoreCase("Content-Type"))
                    .map(Map.Entry::getValue).findFirst().orElse("");
            OpenApiContract.get().checkRequest(method, uri.getRawPath()
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()), contentType, body);
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60));
        headers.forEach(builder::header);
        HttpRequest request = builder.method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            Response answer = new Response(response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""), response.body(), response.headers());
            OpenApiContract.get().check(request.method(), request.uri().getRawPath(), answer);
            return answer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }
}
