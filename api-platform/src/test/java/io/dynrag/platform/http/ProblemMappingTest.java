package io.dynrag.platform.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A service's exception is answered as its mapping says, by the server and by whoever asks the mapping. */
class ProblemMappingTest {

    /** A refusal of some service, and a more particular one that answers otherwise. */
    static class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    static final class RefusedForNow extends Refused {
        RefusedForNow(String message) {
            super(message);
        }
    }

    static final class RefusedLikeItsParent extends Refused {
        RefusedLikeItsParent(String message) {
            super(message);
        }
    }

    private static final ProblemMapping MAPPING = ProblemMapping.NONE
            .answer(Refused.class, e -> new ApiProblem(409, "Conflict", e.getMessage()))
            .answer(RefusedForNow.class, e -> new ApiProblem(503, "Service Unavailable", e.getMessage(),
                    Duration.ofSeconds(5)));

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aTypeAnswersForItsSubclassesUnlessTheyAreMappedThemselves() {
        assertThat(MAPPING.problemFor(new Refused("taken")).orElseThrow().status()).isEqualTo(409);
        assertThat(MAPPING.problemFor(new RefusedLikeItsParent("taken too")).orElseThrow())
                .satisfies(problem -> {
                    assertThat(problem.status()).isEqualTo(409);
                    assertThat(problem.title()).isEqualTo("Conflict");
                    assertThat(problem.detail()).isEqualTo("taken too");
                });
        assertThat(MAPPING.problemFor(new RefusedForNow("busy")).orElseThrow()).satisfies(problem -> {
            assertThat(problem.status()).isEqualTo(503);
            assertThat(problem.retryAfter()).contains(Duration.ofSeconds(5));
        });
    }

    @Test
    void anApiProblemAnswersForItselfAndAnUnmappedFailureIsNoRefusal() {
        ApiProblem problem = ApiProblem.notFound("no such thing");

        assertThat(MAPPING.problemFor(problem)).containsSame(problem);
        assertThat(MAPPING.problemFor(new IllegalStateException("a fault"))).isEmpty();
        assertThatThrownBy(() -> MAPPING.answer(Refused.class, e -> ApiProblem.badRequest(e.getMessage())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theServerAnswersEachHandlersRefusalAsMappedWithItsHeaders() throws Exception {
        server = new HttpServer("127.0.0.1", 0, TrustedProxies.NONE, CorsPolicy.NONE,
                1_000_000, 1_000_000, Json.apiMapper(),
                List.of(routes -> {
                    routes.get("/v1/taken", ctx -> {
                        throw new RefusedLikeItsParent("it is taken");
                    });
                    routes.get("/v1/busy", ctx -> {
                        throw new RefusedForNow("try later");
                    });
                    routes.get("/v1/fault", ctx -> {
                        throw new IllegalStateException("internal detail");
                    });
                }), endpoint -> endpoint.handler, MAPPING, Map.of(), RequestObserver.NONE).start();

        HttpResponse<String> taken = get("/v1/taken");
        HttpResponse<String> busy = get("/v1/busy");
        HttpResponse<String> fault = get("/v1/fault");

        assertThat(taken.statusCode()).isEqualTo(409);
        assertThat(taken.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith(ProblemDetails.MEDIA_TYPE));
        assertThat(taken.body()).contains("\"title\":\"Conflict\"").contains("\"detail\":\"it is taken\"");
        assertThat(busy.statusCode()).isEqualTo(503);
        assertThat(busy.headers().firstValue("Retry-After")).contains("5");
        assertThat(busy.body()).contains("\"detail\":\"try later\"");
        assertThat(fault.statusCode()).isEqualTo(500);
        assertThat(fault.body()).doesNotContain("internal detail");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
