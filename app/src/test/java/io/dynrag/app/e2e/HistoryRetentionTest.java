package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.pipeline.embedding.MiniLmEmbeddingModel;
import io.dynrag.vectorstore.dataset.DatasetPaths;
import io.dynrag.vectorstore.dataset.Datasets;
import io.dynrag.vectorstore.history.HistoryCleanup;
import io.dynrag.vectorstore.memory.ArrowMemory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bounded history: the time-travel retention is part of the customer's configuration (30 days unless set, an
 * event when changed), a search {@code asOf} an instant before it answers 410 naming the earliest instant
 * available, and one inside it is answered after the cleanup of the dataset's history.
 */
@Tag("e2e")
class HistoryRetentionTest {

    private static final Pattern EARLIEST = Pattern.compile("earliest instant available is (\\S+) ");

    private final TestSystem system = TestSystem.shared();
    private final ApiClient api = system.api();

    @Test
    void aSearchOfThePastBeforeTheRetainedWindowIsGoneAndNamesTheEarliestInstant() {
        TestSystem.Account account = system.signUp("Short Memory Ltd");
        String token = account.accessToken();
        assertThat(configuration(api.get("/v1/customer/config", token)).get("historyRetentionDays").asInt())
                .as("the default").isEqualTo(30);
        String document = system.uploadDocument(token, "tides.txt", "Spring tides run highest after a full moon.");
        system.awaitStatus(token, document, "INDEXED");

        JsonNode changed = configuration(api.putJson("/v1/customer/config", token,
                Json.object("historyRetentionDays", 2)));
        assertThat(changed.get("historyRetentionDays").asInt()).isEqualTo(2);
        assertThat(api.get("/v1/audit/events", token).json().get("events").findValuesAsText("type"))
                .as("a change like every other, an event").contains("CustomerConfigurationChanged");

        Instant before = Instant.now();
        ApiClient.Response gone = search(token, before.minus(Duration.ofDays(3)));
        Instant after = Instant.now();
        TestSystem.assertProblem(gone, 410);
        String detail = gone.json().get("detail").asText();
        assertThat(detail).contains("'asOf'").contains("historyRetentionDays is 2");
        Matcher earliest = EARLIEST.matcher(detail);
        assertThat(earliest.find()).as(detail).isTrue();
        assertThat(Instant.parse(earliest.group(1)))
                .isBetween(before.minus(Duration.ofDays(2)), after.minus(Duration.ofDays(2)));

        ApiClient.Response withinWindow = search(token, Instant.now().minus(Duration.ofDays(1)));
        assertThat(withinWindow.status()).as(withinWindow.body()).isEqualTo(200);
        assertThat(withinWindow.json().get("results")).as("nothing was indexed a day ago").isEmpty();
        ApiClient.Response now = search(token, Instant.now());
        assertThat(now.status()).as(now.body()).isEqualTo(200);
        assertThat(now.json().get("results").findValuesAsText("documentId")).contains(document);
    }

    /**
     * The cleanup keeps the version that was the latest at the window's start; the version an instant in the window
     * recorded may be older (here: a deleted document's removal came after it), and is then read from the one kept.
     */
    @Test
    void anInstantInsideTheWindowIsSearchedAfterTheCleanupRemovedTheVersionItRecorded() {
        String[] customer = system.registerCustomerWithId("Cleaned History Ltd");
        String key = customer[1];
        String kept = system.uploadDocument(key, "tides.txt", "Spring tides run highest after a full moon.");
        String deleted = system.uploadDocument(key, "neaps.txt", "Neap tides run lowest at the half moon.");
        String changed = system.uploadDocument(key, "harbour.txt", "The harbour dries out at low spring tides.");
        system.awaitStatus(key, kept, "INDEXED");
        system.awaitStatus(key, deleted, "INDEXED");
        system.awaitStatus(key, changed, "INDEXED");
        system.uploadVersion(key, changed, "harbour.txt", "The harbour was dredged: it stays wet at low spring tides.");
        system.awaitVersionIndexed(key, changed, 2);
        assertThat(api.delete("/v1/documents/" + deleted, key).status()).isEqualTo(202);
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> api.get("/v1/audit/events?documentId=" + deleted, key)
                .json().get("events").findValuesAsText("type").contains("DocumentRemovedFromIndex"));
        Instant windowStart = Instant.now();
        String later = system.uploadDocument(key, "moon.txt", "The moon pulls the tides twice a day.");
        system.awaitStatus(key, later, "INDEXED");
        JsonNode before = okSearch(key, windowStart);
        long recorded = before.get("datasetVersion").asLong();

        ArrowMemory memory = new ArrowMemory();
        try {
            // As the pipeline cleans up with the window starting there (without the minute it spares).
            int removed = new HistoryCleanup(new Datasets(new DatasetPaths(system.lanceRoot().toString()), Map.of(),
                    memory), Duration.ZERO).cleanUp(customer[0], MiniLmEmbeddingModel.ID, windowStart);
            assertThat(removed).isPositive();
        } finally {
            memory.close(() -> { });
        }

        JsonNode after = okSearch(key, windowStart);
        assertThat(after.get("datasetVersion").asLong()).as("the oldest version kept, not the one recorded")
                .isGreaterThan(recorded);
        assertThat(after.get("results").findValuesAsText("documentId")).as("the same documents as before the cleanup")
                .contains(kept, changed).doesNotContain(deleted)
                .isEqualTo(before.get("results").findValuesAsText("documentId"));

        // A document's latest version is in every version since its indexing, so in the ones kept; a replaced one is not.
        ApiClient.Response latest = api.postJson("/v1/search", key, Json.object("query", "low spring tides",
                "documentId", changed, "version", 2));
        assertThat(latest.status()).as(latest.body()).isEqualTo(200);
        assertThat(latest.json().get("results").findValuesAsText("text")).isNotEmpty()
                .allSatisfy(text -> assertThat(text).contains("dredged"));
        ApiClient.Response replaced = api.postJson("/v1/search", key, Json.object("query", "low spring tides",
                "documentId", changed, "version", 1));
        TestSystem.assertProblem(replaced, 410);
        assertThat(replaced.json().get("detail").asText()).contains("version 1 of document " + changed);
        String chunks = "/v1/documents/" + changed + "/chunks";
        ApiClient.Response latestChunks = api.get(chunks, key);
        assertThat(latestChunks.status()).as(latestChunks.body()).isEqualTo(200);
        assertThat(latestChunks.json().get("chunks").findValuesAsText("text")).isNotEmpty()
                .allSatisfy(text -> assertThat(text).contains("dredged"));
        TestSystem.assertProblem(api.get(chunks + "?version=1", key), 410);
    }

    private JsonNode okSearch(String key, Instant asOf) {
        ApiClient.Response response = search(key, asOf);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private ApiClient.Response search(String token, Instant asOf) {
        return api.postJson("/v1/search", token, Json.object("query", "when do spring tides run highest",
                "asOf", asOf.toString()));
    }

    private static JsonNode configuration(ApiClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("configuration");
    }
}
