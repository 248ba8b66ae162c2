package io.dynrag.api.openapi;

import io.javalin.Javalin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /openapi.json} serves {@code docs/openapi.json} byte for byte, to anyone, cacheable. */
class OpenApiEndpointsTest {

    private final HttpClient client = HttpClient.newHttpClient();
    private Javalin server;

    @BeforeEach
    void start() {
        server = Javalin.create(config -> {
            config.jetty.host = "127.0.0.1";
            config.jetty.port = 0;
            config.startup.showJavalinBanner = false;
            new OpenApiEndpoints().accept(config.routes);
        }).start();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void servesTheDocumentedContractAsJsonWithoutCredentials() throws IOException, InterruptedException {
        HttpResponse<byte[]> response = client.send(request().build(), HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(response.headers().firstValue("Cache-Control")).contains("public, max-age=3600");
        assertThat(response.body()).isEqualTo(Files.readAllBytes(documentedContract()));
    }

    @Test
    void answersNotModifiedToItsOwnEtag() throws IOException, InterruptedException {
        String etag = client.send(request().build(), HttpResponse.BodyHandlers.discarding())
                .headers().firstValue("ETag").orElseThrow();

        HttpResponse<byte[]> again = client.send(request().header("If-None-Match", etag).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
    }

    private HttpRequest.Builder request() {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + OpenApiEndpoints.PATH));
    }

    /** {@code docs/openapi.json} of this checkout, found from the module's directory (where Maven runs the tests). */
    private static Path documentedContract() {
        for (Path directory = Path.of("").toAbsolutePath(); directory != null; directory = directory.getParent()) {
            Path candidate = directory.resolve("docs").resolve("openapi.json");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no docs/openapi.json above " + Path.of("").toAbsolutePath());
    }
}
