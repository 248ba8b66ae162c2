package io.dynrag.app.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import io.dynrag.embedded.EmbeddedS3;
import io.javalin.Javalin;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * In {@code dev} the S3 server and the HTTP API (Javalin) run in one JVM, each on its own Jetty:
 * the S3 server's copy is relocated, so the two must not interfere.
 */
@Tag("e2e")
class EmbeddedS3BesideHttpApiTest {

    @TempDir
    Path directory;

    @Test
    void bothServeRequestsInOneJvm() throws Exception {
        Javalin api = Javalin.create(config -> config.routes.get("/ping", ctx -> ctx.result("pong"))).start("127.0.0.1", 0);
        try (EmbeddedS3 s3 = EmbeddedS3.start(directory, 0, "access", "secret-key");
                HttpClient http = HttpClient.newHttpClient()) {
            S3Settings settings = new S3Settings(s3.endpoint(), "us-east-1", "access", "secret-key", "beside-api");
            try (S3Client client = S3Clients.create(settings)) {
                S3Clients.ensureBucket(client, settings.bucket());
                client.putObject(put -> put.bucket(settings.bucket()).key("k"), RequestBody.fromString("v"));
                assertThat(client.getObjectAsBytes(get -> get.bucket(settings.bucket()).key("k")).asUtf8String()).isEqualTo("v");
            }

            HttpResponse<String> pong = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/ping")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(pong.statusCode()).isEqualTo(200);
            assertThat(pong.body()).isEqualTo("pong");
        } finally {
            api.stop();
        }
    }
}
