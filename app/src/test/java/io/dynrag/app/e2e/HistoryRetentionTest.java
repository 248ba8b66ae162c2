package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bounded history: the time-travel retention is part of the customer's configuration (30 days unless set, an
 * event when changed), and a search {@code asOf} an instant before it answers 410 naming the earliest instant
 * available, in REST as over MCP (the same search).
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

    private ApiClient.Response search(String token, Instant asOf) {
        return api.postJson("/v1/search", token, Json.object("query", "when do spring tides run highest",
                "asOf", asOf.toString()));
    }

    private static JsonNode configuration(ApiClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("configuration");
    }
}
