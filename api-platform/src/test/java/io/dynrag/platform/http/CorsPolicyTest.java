package io.dynrag.platform.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** CORS against a real server: what a browser sees from an allowed origin, another origin and none. */
class CorsPolicyTest {

    private static final String APP = "https://app.example.com";
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final AtomicInteger handled = new AtomicInteger();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void anAllowedOriginReadsAnswersErrorsIncluded() throws Exception {
        start("https://app.example.com,http://localhost:3000");

        HttpResponse<String> answer = send("GET", "/v1/things", APP, Map.of());
        assertThat(answer.statusCode()).isEqualTo(200);
        HttpHeaders headers = answer.headers();
        assertThat(headers.allValues("Access-Control-Allow-Origin")).containsExactly(APP);
        assertThat(headers.firstValue("Vary")).hasValue("Origin");
        assertThat(headers.firstValue("Access-Control-Allow-Credentials")).hasValue("true");
        assertThat(headers.firstValue("Access-Control-Expose-Headers").orElseThrow())
                .contains("Location", "Retry-After", "RateLimit-Remaining", "Idempotent-Replayed", "X-Correlation-Id");

        HttpResponse<String> refused = send("GET", "/v1/refused", "http://localhost:3000", Map.of());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:3000");
        assertThat(refused.headers().firstValue("Content-Type").orElseThrow()).startsWith(ProblemDetails.MEDIA_TYPE);
    }

    @Test
    void anotherOriginAndARequestWithoutOneGetNoCorsHeadersButVaryByOrigin() throws Exception {
        start(APP);

        for (String origin : List.of("https://evil.example.com", "https://app.example.com:8443",
                "http://app.example.com", "null")) {
            HttpResponse<String> answer = send("GET", "/v1/things", origin, Map.of());
            assertThat(answer.statusCode()).as(origin).isEqualTo(200);
            assertThat(corsHeaders(answer).keySet()).as(origin).allMatch(name -> name.equalsIgnoreCase("Vary"));
            assertThat(answer.headers().allValues("Vary")).as(origin).containsExactly("Origin");

            HttpResponse<String> preflight = send("OPTIONS", "/v1/things", origin,
                    Map.of("Access-Control-Request-Method", "POST"));
            assertThat(preflight.statusCode()).as(origin).isNotEqualTo(204);
            assertThat(corsHeaders(preflight).keySet()).as(origin).allMatch(name -> name.equalsIgnoreCase("Vary"));
        }
        assertThat(corsHeaders(send("GET", "/v1/things", null, Map.of())).keySet())
                .allMatch(name -> name.equalsIgnoreCase("Vary"));
    }

    @Test
    void aPreflightFromAnAllowedOriginIsAnswered204WithWhatMayBeSent() throws Exception {
        start(APP);

        HttpResponse<String> preflight = send("OPTIONS", "/v1/things", APP, Map.of(
                "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization, content-type, idempotency-key"));

        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.body()).isEmpty();
        HttpHeaders headers = preflight.headers();
        assertThat(headers.firstValue("Access-Control-Allow-Origin")).hasValue(APP);
        assertThat(headers.firstValue("Vary")).hasValue("Origin");
        assertThat(headers.firstValue("Access-Control-Allow-Methods").orElseThrow())
                .contains("GET", "POST", "PUT", "PATCH", "DELETE");
        assertThat(headers.firstValue("Access-Control-Allow-Headers").orElseThrow())
                .contains("Authorization", "Content-Type", "Idempotency-Key", "X-API-Key", "X-Correlation-Id");
        assertThat(headers.firstValue("Access-Control-Max-Age")).hasValue("3600");
        assertThat(headers.firstValue("Access-Control-Allow-Credentials")).hasValue("true");
        assertThat(handled).as("no endpoint ran").hasValue(0);
    }

    @Test
    void anyOriginMayCallButNeverWithCredentials() throws Exception {
        start("*");

        HttpResponse<String> answer = send("GET", "/v1/things", "https://anywhere.example.org", Map.of());
        HttpResponse<String> preflight = send("OPTIONS", "/v1/things", "https://anywhere.example.org",
                Map.of("Access-Control-Request-Method", "DELETE"));

        assertThat(answer.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(answer.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
    }

    @Test
    void withoutTheSettingNoAnswerHasCorsHeaders() throws Exception {
        start("");

        assertThat(corsHeaders(send("GET", "/v1/things", APP, Map.of()))).isEmpty();
        HttpResponse<String> preflight = send("OPTIONS", "/v1/things", APP,
                Map.of("Access-Control-Request-Method", "GET"));
        assertThat(preflight.statusCode()).isNotEqualTo(204);
        assertThat(corsHeaders(preflight)).isEmpty();
    }

    @Test
    void theSettingIsExactOriginsOrAStarAlone() {
        assertThat(CorsPolicy.parse(" https://app.example.com , http://localhost:3000 ,").origins())
                .isEqualTo(Set.of("https://app.example.com", "http://localhost:3000"));
        assertThat(CorsPolicy.parse("*").anyOrigin()).isTrue();
        assertThat(CorsPolicy.parse(null)).isEqualTo(CorsPolicy.NONE);
        assertThat(CorsPolicy.parse("  ")).isEqualTo(CorsPolicy.NONE);
        for (String malformed : List.of("app.example.com", "https://app.example.com/", "https://app.example.com/app",
                "HTTPS://app.example.com", "https://App.example.com", "https://app.example.com:443",
                "ftp://files.example.com", "https://user@app.example.com", "https://app.example.com?x=1",
                "https://", "*, https://app.example.com", "https://app.example.com\u0000")) {
            assertThatThrownBy(() -> CorsPolicy.parse(malformed)).as(malformed)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'");
        }
    }

    private void start(String setting) {
        server = new HttpServer("127.0.0.1", 0, TrustedProxies.NONE, CorsPolicy.parse(setting), 1_000_000,
                1_000_000, Json.apiMapper(), List.of(routes -> {
                    routes.get("/v1/things", ctx -> ctx.result("things " + handled.incrementAndGet()));
                    routes.post("/v1/things", ctx -> ctx.status(201).result("made " + handled.incrementAndGet()));
                    routes.get("/v1/refused", ctx -> {
                        throw ApiProblem.unauthorized("no credential");
                    });
                }), endpoint -> endpoint.handler, ProblemMapping.NONE, Map.of(), RequestObserver.NONE).start();
    }

    private HttpResponse<String> send(String method, String path, String origin, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (origin != null) {
            request.header("Origin", origin);
        }
        headers.forEach(request::header);
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, List<String>> corsHeaders(HttpResponse<String> answer) {
        return answer.headers().map().entrySet().stream()
                .filter(header -> header.getKey().toLowerCase(Locale.ROOT).startsWith("access-control-")
                        || header.getKey().equalsIgnoreCase("Vary"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
