package io.dynrag.platform.http;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A servlet run inside a route: it reads the body the route read and its answer becomes the route's. */
class ServletBridgeTest {

    /** Echoes the body with 201, or refuses with the status a body {@code error:<status>} names. */
    private static final HttpServlet ECHO = new HttpServlet() {
        @Override
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String body = new String(request.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (body.startsWith("error:")) {
                response.sendError(Integer.parseInt(body.substring("error:".length())), "refused by the servlet");
                return;
            }
            response.setStatus(201);
            response.setContentType("application/json");
            response.setHeader("X-Echoed", "yes");
            response.getWriter().write("{\"echo\":\"" + body + "\"}");
            response.getWriter().flush();
        }
    };

    private HttpServer server;

    @BeforeEach
    void start() {
        server = new HttpServer("127.0.0.1", 0, TrustedProxies.NONE, CorsPolicy.NONE, 1_000, 1_000, Json.apiMapper(),
                List.of(routes -> routes.post("/echo", ctx -> ServletBridge.serve(ECHO, ctx))),
                endpoint -> endpoint.handler, ProblemMapping.NONE, Map.of(), RequestObserver.NONE).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void theServletsAnswerIsTheRoutes() throws Exception {
        HttpResponse<String> answer = post("tides");

        assertThat(answer.statusCode()).isEqualTo(201);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/json"));
        assertThat(answer.headers().firstValue("X-Echoed")).contains("yes");
        assertThat(answer.headers().firstValue("X-Correlation-Id")).as("the server's own headers stay").isPresent();
        assertThat(answer.body()).isEqualTo("{\"echo\":\"tides\"}");
    }

    @Test
    void anErrorTheServletSendsIsAProblem() throws Exception {
        HttpResponse<String> answer = post("error:415");

        assertThat(answer.statusCode()).isEqualTo(415);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith(ProblemDetails.MEDIA_TYPE));
        assertThat(answer.body()).contains("\"status\":415").contains("refused by the servlet");
    }

    @Test
    void aBodyOverTheServersLimitIsRefusedBeforeTheServletSeesIt() throws Exception {
        HttpResponse<String> answer = post("x".repeat(2_000));

        assertThat(answer.statusCode()).isEqualTo(413);
        assertThat(answer.body()).contains("\"status\":413").doesNotContain("\"echo\":");
    }

    private HttpResponse<String> post(String body) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/echo"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
