package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /v1/documents}: filters, orders, cursor pages and tenant scope, over HTTP against the whole system. */
@Tag("e2e")
class DocumentListApiTest {

    private TestSystem system;
    private ApiClient api;

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
        api = system.api();
    }

    @Test
    void everyFilterOrderAndPageOfOneTenantsDocuments() {
        String key = system.registerCustomer("Listing Ltd");
        String other = system.registerCustomer("Other Listing Ltd");
        String foreign = system.uploadDocument(other, "alpha-foreign.md", "# Foreign\n\nNot yours.");
        List<String> ids = new ArrayList<>();
        List<Instant> uploadedAfter = new ArrayList<>();
        String[][] documents = {
                {"alpha-tides.md", "# Tides\n\nThe moon pulls the ocean.", "{\"team\": \"oceans\", \"year\": 2024, \"tags\": [\"moon\", \"sea\"]}"},
                {"beta-rivers.txt", "Rivers run to the sea.", "{\"team\": \"rivers\", \"year\": \"2024\"}"},
                {"alpha-waves.md", "# Waves\n\nWind raises waves.", "{\"team\": \"oceans\", \"year\": 2025}"},
                {"gamma-lakes.txt", "Lakes are still.", "{\"team\": \"lakes\", \"reviewed\": true}"},
                {"delta-ice.txt", "Ice floats.", "{}"}};
        for (String[] document : documents) {
            ApiClient.Response created = api.uploadWithFields(key, document[0],
                    document[1].getBytes(StandardCharsets.UTF_8), Map.of("metadata", document[2]));
            assertThat(created.status()).as(created.body()).isEqualTo(202);
            ids.add(created.json().get("documentId").asText());
            uploadedAfter.add(Instant.now());
        }
        ids.forEach(id -> system.awaitStatus(key, id, "INDEXED"));
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> ids(list(key, "status=INDEXED")).size() == 5);

        JsonNode first = list(key, "sort=createdAt&order=asc").get("documents").get(0);
        assertThat(first.get("documentId").asText()).isEqualTo(ids.get(0));
        assertThat(first.get("title").asText()).isEqualTo("alpha-tides.md");
        assertThat(first.get("status").asText()).isEqualTo("INDEXED");
        assertThat(first.get("contentType").asText()).isEqualTo("text/markdown");
        assertThat(first.get("bytes").asLong()).isEqualTo(documents[0][1].getBytes(StandardCharsets.UTF_8).length);
        assertThat(first.get("version").asInt()).isEqualTo(1);
        assertThat(first.get("metadata")).isEqualTo(Json.read(documents[0][2]));
        assertThat(Instant.parse(first.get("createdAt").asText())).isBefore(uploadedAfter.get(0));
        assertThat(Instant.parse(first.get("updatedAt").asText())).isAfterOrEqualTo(
                Instant.parse(first.get("createdAt").asText()));

        assertThat(pages(key, "sort=createdAt&order=asc&limit=2")).as("three pages of 2, 2 and 1").isEqualTo(ids);
        assertThat(pages(key, "sort=createdAt&limit=2")).isEqualTo(ids.reversed());
        assertThat(ids(list(key, "sort=title"))).containsExactly(ids.get(0), ids.get(2), ids.get(1), ids.get(4),
                ids.get(3));
        assertThat(pages(key, "sort=title&order=desc&limit=3")).containsExactly(ids.get(3), ids.get(4), ids.get(1),
                ids.get(2), ids.get(0));
        List<String> byChange = ids(list(key, ""));
        assertThat(byChange).containsExactlyInAnyOrderElementsOf(ids).doesNotContain(foreign);
        assertThat(pages(key, "limit=1")).isEqualTo(byChange);

        assertThat(ids(list(key, "contentType=text/markdown&sort=createdAt&order=asc")))
                .containsExactly(ids.get(0), ids.get(2));
        assertThat(ids(list(key, "titlePrefix=alpha&sort=createdAt&order=asc")))
                .containsExactly(ids.get(0), ids.get(2));
        assertThat(ids(list(key, "createdAfter=" + uploadedAfter.get(1) + "&sort=createdAt&order=asc")))
                .containsExactly(ids.get(2), ids.get(3), ids.get(4));
        assertThat(ids(list(key, "createdBefore=" + uploadedAfter.get(1) + "&sort=createdAt&order=asc")))
                .containsExactly(ids.get(0), ids.get(1));
        assertThat(ids(list(key, "updatedBefore=" + uploadedAfter.get(0)))).isEmpty();
        assertThat(ids(list(key, "updatedAfter=" + uploadedAfter.get(0)))).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(ids(list(key, "metadata.team=oceans&sort=createdAt&order=asc")))
                .containsExactly(ids.get(0), ids.get(2));
        assertThat(ids(list(key, "metadata.year=2024&sort=createdAt&order=asc"))).as("the number and the string")
                .containsExactly(ids.get(0), ids.get(1));
        assertThat(ids(list(key, "metadata.tags=moon"))).containsExactly(ids.get(0));
        assertThat(ids(list(key, "metadata.reviewed=true"))).containsExactly(ids.get(3));
        assertThat(ids(list(key, "metadata.team=oceans&metadata.team=lakes&metadata.year=2025")))
                .containsExactly(ids.get(2));

        assertThat(ids(list(other, ""))).containsExactly(foreign);
        assertThat(ids(list(other, "metadata.team=oceans"))).isEmpty();

        Instant beforeChanges = Instant.now();
        assertThat(pages(key, "asOf=" + beforeChanges + "&sort=createdAt&order=asc&limit=2"))
                .as("the past, paged, as the present was").isEqualTo(ids);
        assertThat(api.send("PATCH", "/v1/documents/" + ids.get(4), ApiClient.bearer(key),
                "{\"metadata\": {\"team\": \"oceans\"}}").status()).isEqualTo(200);
        assertThat(api.delete("/v1/documents/" + ids.get(0), key).status()).isEqualTo(202);
        await().atMost(TestSystem.INDEXING_TIMEOUT).untilAsserted(() -> {
            assertThat(ids(list(key, "metadata.team=oceans"))).containsExactlyInAnyOrder(ids.get(2), ids.get(4));
            assertThat(ids(list(key, "status=DELETED"))).containsExactly(ids.get(0));
        });
        assertThat(ids(list(key, ""))).as("the last change first").startsWith(ids.get(4));
        assertThat(ids(list(key, "asOf=" + Instant.now() + "&metadata.team=oceans")))
                .containsExactlyInAnyOrder(ids.get(2), ids.get(4));
        assertThat(ids(list(key, "asOf=" + beforeChanges + "&metadata.team=oceans&sort=createdAt&order=asc")))
                .as("before the change and the deletion").containsExactly(ids.get(0), ids.get(2));
        assertThat(ids(list(key, "asOf=" + beforeChanges + "&status=DELETED"))).isEmpty();
        assertThat(ids(list(key, "asOf=" + beforeChanges + "&metadata.year=2024&titlePrefix=alpha"))).containsExactly(
                ids.get(0));
        assertThat(ids(list(key, "asOf=" + uploadedAfter.get(1) + "&sort=title"))).as("two documents then")
                .containsExactly(ids.get(0), ids.get(1));
        JsonNode then = list(key, "asOf=" + uploadedAfter.get(0)).get("documents").get(0);
        assertThat(then.get("status").asText()).as("not yet indexed then").isIn("PENDING", "PROCESSING");
        assertThat(then.get("metadata")).isEqualTo(Json.read(documents[0][2]));
    }

    @Test
    void badParametersAreRefusedNamingThem() {
        String key = system.registerCustomer("Bad Listing Ltd");
        Map<String, String> refused = Map.of(
                "limit=0", "'limit'", "limit=201", "'limit'", "sort=size", "'sort'", "order=up", "'order'",
                "status=DONE", "'status'", "createdAfter=yesterday", "'createdAfter'", "cursor=garbage", "'cursor'",
                "colour=red", "'colour'", "asOf=yesterday", "'asOf'",
                "metadata." + URLEncoder.encode("bad key", StandardCharsets.UTF_8) + "=1", "'metadata.bad key'");
        refused.forEach((query, named) -> {
            ApiClient.Response response = api.outsideContract().get("/v1/documents?" + query, key);
            TestSystem.assertProblem(response, 400);
            assertThat(response.json().get("detail").asText()).as(query).contains(named);
        });
        for (int i = 0; i < 2; i++) {
            system.uploadDocument(key, "doc-" + i + ".txt", "Text " + i + ".");
        }
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> ids(list(key, "")).size() == 2);
        String cursor = list(key, "sort=createdAt&limit=1").get("nextCursor").asText();
        TestSystem.assertProblem(api.get("/v1/documents?sort=title&limit=1&cursor=" + cursor, key), 400);
        TestSystem.assertProblem(api.get("/v1/documents", null), 401);
    }

    private JsonNode list(String key, String query) {
        ApiClient.Response response = api.get("/v1/documents" + (query.isEmpty() ? "" : "?" + query), key);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    /** Every page in turn, following nextCursor to the end. */
    private List<String> pages(String key, String query) {
        List<String> all = new ArrayList<>();
        JsonNode page = list(key, query);
        all.addAll(ids(page));
        while (page.hasNonNull("nextCursor")) {
            page = list(key, query + "&cursor=" + page.get("nextCursor").asText());
            assertThat(ids(page)).isNotEmpty();
            all.addAll(ids(page));
        }
        return all;
    }

    private static List<String> ids(JsonNode page) {
        return StreamSupport.stream(page.get("documents").spliterator(), false)
                .map(document -> document.get("documentId").asText()).toList();
    }
}
