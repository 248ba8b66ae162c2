package io.dynrag.app.e2e;

import org.junit.jupiter.api.Test;

import java.net.http.HttpHeaders;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@link OpenApiContract} lets through and what it stops, on answers made up here rather than sent. */
class OpenApiContractCheckTest {

    private static final String DOCUMENT = """
            {"documentId":"d1","title":"Tides","metadata":{},"contentType":"text/markdown","bytes":12,"version":1,
             "status":"INDEXED","chunks":1,"updatedAt":"2026-11-26T14:22:40.061Z"}""";

    private final OpenApiContract contract = OpenApiContract.get();

    @Test
    void acceptsAnAnswerAsDeclared() {
        assertThatCode(() -> contract.check("GET", "/v1/documents/d1?asOf=2026-11-26T00:00:00Z",
                answer(200, "application/json", DOCUMENT))).doesNotThrowAnyException();
        assertThatCode(() -> contract.check("DELETE", "/v1/webhooks/w1", answer(204, "", "")))
                .doesNotThrowAnyException();
    }

    @Test
    void refusesAFieldTheContractDoesNotDeclare() {
        String withExtra = DOCUMENT.replace("\"chunks\":1", "\"chunks\":1,\"shard\":7");

        assertThatThrownBy(() -> contract.check("GET", "/v1/documents/d1", answer(200, "application/json", withExtra)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("GET /v1/documents/{documentId}")
                .hasMessageContaining("shard");
    }

    @Test
    void refusesAWrongTypeAStatusOrAMediaTypeTheContractDoesNotDeclare() {
        assertThatThrownBy(() -> contract.check("GET", "/v1/documents/d1",
                answer(200, "application/json", DOCUMENT.replace("\"bytes\":12", "\"bytes\":\"12\""))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("bytes");
        assertThatThrownBy(() -> contract.check("POST", "/v1/search", answer(201, "application/json", "{}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("does not declare");
        assertThatThrownBy(() -> contract.check("GET", "/v1/webhooks", answer(200, "text/plain", "hello")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("text/plain");
        assertThatThrownBy(() -> contract.check("DELETE", "/v1/webhooks/w1", answer(204, "", "{}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("body");
    }

    @Test
    void holdsProblemsToTheProblemSchemaAndPrefersALiteralSegmentToAParameter() {
        assertThatCode(() -> contract.check("POST", "/v1/documents/batch", answer(400, "application/problem+json",
                "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,\"detail\":\"no items\"}")))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> contract.check("POST", "/v1/documents/batch",
                answer(400, "application/problem+json", "{\"title\":\"Bad Request\",\"status\":400}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("POST /v1/documents/batch ");
    }

    @Test
    void leavesRoutesTheContractDoesNotNameToTheRouteTests() {
        assertThatCode(() -> contract.check("GET", "/no/such/route", answer(404, "text/html", "<p>")))
                .doesNotThrowAnyException();
    }

    private static ApiClient.Response answer(int status, String contentType, String body) {
        return new ApiClient.Response(status, contentType, body, HttpHeaders.of(Map.of(), (name, value) -> true));
    }
}
