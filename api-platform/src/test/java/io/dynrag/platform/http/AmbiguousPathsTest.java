package io.dynrag.platform.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Paths the servlet container calls ambiguous reach our routing: every one is answered with problem+json,
 * also while the client is still sending a body the answer does not need.
 */
class AmbiguousPathsTest {

    private static final byte[] BODY = ("[".repeat(20_000) + "]".repeat(20_000)).getBytes();

    private HttpServer server;

    @BeforeEach
    void start() {
        server = new HttpServer("127.0.0.1", 0, TrustedProxies.NONE, CorsPolicy.NONE,
                1_000_000, 1_000_000, Json.apiMapper(),
                List.of(routes -> routes.put("/v1/things/{id}", ctx -> {
                    throw new ApiProblem(404, "Not Found", "no thing '" + ctx.pathParam("id") + "'");
                })), endpoint -> endpoint.handler, ProblemMapping.NONE, Map.of(), RequestObserver.NONE).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void everyAmbiguousPathIsAnsweredAsAProblemAfterItsBody() throws Exception {
        for (String path : List.of("/v1/things/..;", "/v1/things/%2e%2e", "/v1/things/a%2Fb", "/v1/things//x",
                "/v1/things/..;/x", "/v1/things/%2e%2e%2f..%2f")) {
            for (int attempt = 0; attempt < 10; attempt++) {
                // A new connection each time: the server may close one after answering, never before.
                HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + server.port() + path))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(BODY)).build(), HttpResponse.BodyHandlers.ofString());

                assertThat(answer.statusCode()).as(path).isBetween(400, 499);
                assertThat(answer.headers().firstValue("Content-Type")).as(path)
                        .hasValueSatisfying(type -> assertThat(type).startsWith(ProblemDetails.MEDIA_TYPE));
                assertThat(answer.body()).as(path).contains("\"status\":" + answer.statusCode());
            }
        }
    }
}
