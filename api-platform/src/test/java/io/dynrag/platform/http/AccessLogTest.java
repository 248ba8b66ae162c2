package io.dynrag.platform.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** One access line and one observation per request, by route not path, with the request's log context. */
class AccessLogTest {

    private final List<String> observed = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger accessLogger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);
    private HttpServer server;

    @BeforeEach
    void start() {
        lines.start();
        accessLogger.addAppender(lines);
        server = new HttpServer("127.0.0.1", 0, TrustedProxies.NONE, CorsPolicy.NONE, 1_000_000, 1_000_000,
                Json.apiMapper(), List.of(routes -> {
                    routes.get("/v1/things/{id}", ctx -> {
                        AccessLog.customer("customer-7");
                        ctx.result(MDC.get(AccessLog.CORRELATION_ID) + " " + MDC.get(AccessLog.CUSTOMER_ID));
                    });
                    routes.post("/v1/things", ctx -> {
                        throw ApiProblem.badRequest("'name' is missing");
                    });
                }),
                endpoint -> endpoint.handler, ProblemMapping.NONE, Map.of(),
                (route, status, took) -> observed.add(route + " " + status)).start();
    }

    @AfterEach
    void stop() {
        server.close();
        accessLogger.detachAppender(lines);
    }

    @Test
    void eachRequestIsObservedByItsRouteAndLoggedOnceWithItsContext() throws Exception {
        HttpResponse<String> found = send(HttpRequest.newBuilder(uri("/v1/things/t-1"))
                .header("X-Correlation-Id", "corr-42").build());
        assertThat(found.body()).isEqualTo("corr-42 customer-7");

        send(HttpRequest.newBuilder(uri("/v1/things")).POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        send(HttpRequest.newBuilder(uri("/v1/nothing-here?secret=1")).build());

        assertThat(observed).containsExactly("GET /v1/things/{id} 200", "POST /v1/things 400",
                AccessLog.UNMATCHED + " 404");
        assertThat(lines.list).hasSize(3);
        ILoggingEvent first = lines.list.getFirst();
        assertThat(first.getFormattedMessage()).matches("GET /v1/things/t-1 200 \\d+ms 127\\.0\\.0\\.1");
        assertThat(first.getMDCPropertyMap()).containsEntry(AccessLog.CORRELATION_ID, "corr-42")
                .containsEntry(AccessLog.CUSTOMER_ID, "customer-7");
        assertThat(lines.list.get(1).getMDCPropertyMap()).doesNotContainKey(AccessLog.CUSTOMER_ID);
        assertThat(lines.list.get(2).getFormattedMessage()).startsWith("GET /v1/nothing-here 404 ")
                .doesNotContain("secret");
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
