package io.dynrag.app.e2e;

import org.junit.jupiter.api.Test;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@link OpenApiContract} lets through and what it stops, on requests and answers made up here, not sent. */
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

    @Test
    void acceptsARequestAsDeclared() {
        assertThatCode(() -> contract.checkRequest("POST", "/v1/search", "application/json; charset=utf-8",
                bytes("{\"query\":\"tides\",\"topK\":3}"))).doesNotThrowAnyException();
        assertThatCode(() -> contract.checkRequest("GET", "/v1/documents/d%201/chunks?version=2&limit=10",
                "", new byte[0])).doesNotThrowAnyException();
        assertThatCode(() -> contract.checkRequest("GET", "/v1/documents?status=INDEXED,FAILED&status=PENDING"
                + "&metadata.team=oceans&metadata.team=rivers&metadata.year=2024&sort=title", "", new byte[0]))
                .doesNotThrowAnyException();
        assertThatCode(() -> contract.checkRequest("PUT", "/v1/admin/customers/c1/ceilings", "application/json",
                bytes("{\"maxDocuments\":100,\"requestsPerDay\":null}"))).doesNotThrowAnyException();
        assertThatCode(() -> contract.checkRequest("POST", "/v1/documents/batch", "multipart/form-data; boundary=b",
                bytes("--b\r\nContent-Disposition: form-data; name=\"title[0]\"\r\n\r\nTides\r\n"
                        + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.md\"\r\n\r\n# T\r\n"
                        + "--b--\r\n"))).doesNotThrowAnyException();
    }

    @Test
    void refusesARequestBodyFieldTheContractDoesNotDeclare() {
        assertThatThrownBy(() -> contract.checkRequest("POST", "/v1/search", "application/json",
                bytes("{\"query\":\"tides\",\"shard\":7}")))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("POST /v1/search")
                .hasMessageContaining("shard");
        assertThatThrownBy(() -> contract.checkRequest("POST", "/v1/documents", "multipart/form-data; boundary=b",
                bytes("--b\r\nContent-Disposition: form-data; name=\"titel\"\r\n\r\nTides\r\n"
                        + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.md\"\r\n\r\n# T\r\n"
                        + "--b--\r\n")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("titel");
    }

    @Test
    void refusesARequestOfAWrongType() {
        assertThatThrownBy(() -> contract.checkRequest("POST", "/v1/search", "application/json",
                bytes("{\"query\":\"tides\",\"topK\":\"3\"}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("topK");
        assertThatThrownBy(() -> contract.checkRequest("PUT", "/v1/admin/customers/c1/ceilings", "application/json",
                bytes("{\"maxDocuments\":\"many\"}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("maxDocuments");
        assertThatThrownBy(() -> contract.checkRequest("POST", "/v1/documents", "application/json",
                bytes("{\"url\":\"https://example.org/a\",\"metadata\":{\"team\":{\"name\":\"oceans\"}}}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("metadata");
        assertThatThrownBy(() -> contract.checkRequest("GET", "/v1/documents?limit=ten", "", new byte[0]))
                .isInstanceOf(AssertionError.class).hasMessageContaining("query limit");
        assertThatThrownBy(() -> contract.checkRequest("GET", "/v1/documents?limit=500", "", new byte[0]))
                .isInstanceOf(AssertionError.class).hasMessageContaining("query limit");
        assertThatThrownBy(() -> contract.checkRequest("POST", "/v1/search", "text/plain", bytes("tides")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("text/plain");
    }

    @Test
    void refusesAQueryParameterTheContractDoesNotDeclare() {
        assertThatThrownBy(() -> contract.checkRequest("GET", "/v1/documents?limit=10&shard=7", "", new byte[0]))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("GET /v1/documents ")
                .hasMessageContaining("query shard");
    }

    @Test
    void refusesARequestWithoutItsRequiredBodyOrWithABodyTheOperationTakesNot() {
        assertThatThrownBy(() -> contract.checkRequest("POST", "/v1/search", "application/json", new byte[0]))
                .isInstanceOf(AssertionError.class).hasMessageContaining("without the body");
        assertThatThrownBy(() -> contract.checkRequest("POST", "/v1/search", "application/json",
                bytes("{\"topK\":3}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("query");
        assertThatThrownBy(() -> contract.checkRequest("DELETE", "/v1/webhooks/w1", "application/json",
                bytes("{}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("does not declare");
    }

    @Test
    void refusesARequestToAnOperationTheContractDoesNotName() {
        assertThatThrownBy(() -> contract.checkRequest("PATCH", "/v1/webhooks/w1", "", new byte[0]))
                .isInstanceOf(AssertionError.class).hasMessageContaining("outsideContract");
    }

    @Test
    void holdsAnAuditPayloadToTheSchemaOfItsEventType() {
        String event = """
                {"events":[{"eventId":"e1","type":"DocumentIngestionStarted","time":"2026-11-26T14:22:40Z",
                 "aggregateType":"Document","aggregateId":"d1","sequenceNumber":1,
                 "payload":{"documentId":"d1","customerId":"c1","version":2}}]}""";

        assertThatCode(() -> contract.check("GET", "/v1/audit/events", answer(200, "application/json", event)))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> contract.check("GET", "/v1/audit/events", answer(200, "application/json",
                event.replace("\"version\":2", "\"version\":2,\"shard\":7"))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("shard");
        assertThatThrownBy(() -> contract.check("GET", "/v1/audit/events", answer(200, "application/json",
                event.replace("DocumentIngestionStarted", "DocumentDeleted"))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("lastVersion");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static ApiClient.Response answer(int status, String contentType, String body) {
        return new ApiClient.Response(status, contentType, body, HttpHeaders.of(Map.of(), (name, value) -> true));
    }
}
