package io.dynrag.platform.http;

import io.dynrag.platform.persistence.DatabaseException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A database failure is answered 503 with Retry-After, and an exhausted connection pool says the server is busy. */
class DatabaseFailureAnswersTest {

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void noFreeConnectionIsAnsweredAsBusyWithRetryAfter() throws Exception {
        start();

        HttpResponse<String> busy = get("/v1/busy");
        HttpResponse<String> down = get("/v1/down");

        assertThat(busy.statusCode()).isEqualTo(503);
        assertThat(busy.headers().firstValue("Retry-After")).contains("1");
        assertThat(busy.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith(ProblemDetails.MEDIA_TYPE));
        assertThat(busy.body()).contains("the server is busy; retry shortly");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.headers().firstValue("Retry-After")).contains("1");
        assertThat(down.body()).contains("the database is unavailable; retry shortly");
    }

    private void start() {
        server = new HttpServer("127.0.0.1", 0, TrustedProxies.NONE, CorsPolicy.NONE,
                1_000_000, 1_000_000, Json.apiMapper(),
                List.of(routes -> {
                    routes.get("/v1/busy", ctx -> {
                        throw new DatabaseException("cannot look up the API key", new SQLTransientConnectionException(
                                "dynrag-command - Connection is not available, request timed out after 5000ms"));
                    });
                    routes.get("/v1/down", ctx -> {
                        throw new DatabaseException("cannot read customer accounts",
                                new SQLException("Connection refused"));
                    });
                }), endpoint -> endpoint.handler, ProblemMapping.NONE, Map.of(), RequestObserver.NONE).start();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
