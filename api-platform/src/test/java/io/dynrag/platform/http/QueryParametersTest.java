package io.dynrag.platform.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Instants in query parameters: those of the years 0000 to 9999 are read, any other is refused naming its parameter. */
class QueryParametersTest {

    private HttpServer server;

    @BeforeEach
    void start() {
        server = new HttpServer("127.0.0.1", 0, TrustedProxies.NONE, CorsPolicy.NONE,
                1_000_000, 1_000_000, Json.apiMapper(),
                List.of(routes -> routes.get("/v1/things", ctx -> ctx.result(String.valueOf(
                        QueryParameters.instant(ctx, "from").orElse(null))))),
                endpoint -> endpoint.handler, ProblemMapping.NONE, Map.of(), RequestObserver.NONE).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void readsTheInstantsOfFourDigitYears() throws Exception {
        assertThat(get("0000-01-01T00:00:00Z").body()).isEqualTo("0000-01-01T00:00:00Z");
        assertThat(get("9999-12-31T23:59:59.999999999Z").body()).isEqualTo("9999-12-31T23:59:59.999999999Z");
        assertThat(get("2026-11-26T15:22:40.5+01:00").body()).isEqualTo("2026-11-26T14:22:40.500Z");
    }

    @Test
    void refusesInstantsBeyondThemNamingTheParameter() throws Exception {
        for (String beyond : List.of("+999999999-12-31T23:59:59Z", "+10000-01-01T00:00:00Z", "-0001-12-31T23:59:59Z",
                "-300000-01-01T00:00:00Z", "yesterday")) {
            HttpResponse<String> answer = get(beyond);

            assertThat(answer.statusCode()).as(beyond).isEqualTo(400);
            assertThat(answer.body()).as(beyond).contains("'from' must be an ISO-8601 instant");
        }
    }

    private HttpResponse<String> get(String from) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/v1/things?from=" + URLEncoder.encode(from, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
