package io.dynrag.app.e2e;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.dynrag.app.e2e.TestSystem.BROWSER_ORIGIN;
import static io.dynrag.app.e2e.TestSystem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A web page calling the API from another origin, as a browser does it: the test system allows
 * {@link TestSystem#BROWSER_ORIGIN} in {@code DYNRAG_CORS_ORIGINS} and no other.
 */
@Tag("e2e")
class BrowserClientsTest {

    private final TestSystem system = TestSystem.shared();
    private final ApiClient api = system.api();

    @Test
    void aPageOfTheAllowedOriginSearchesAfterAPreflightAndReadsWhatItNeeds() {
        String key = system.registerCustomer("Browser App Co");

        ApiClient.Response preflight = api.send("OPTIONS", "/v1/search", Map.of("Origin", BROWSER_ORIGIN,
                "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization, content-type, idempotency-key"), null);
        assertThat(preflight.status()).as(preflight.body()).isEqualTo(204);
        assertThat(preflight.header("Access-Control-Allow-Origin")).contains(BROWSER_ORIGIN);
        assertThat(preflight.header("Access-Control-Allow-Methods").orElseThrow()).contains("POST");
        assertThat(preflight.header("Access-Control-Allow-Headers").orElseThrow())
                .contains("Authorization", "Content-Type", "Idempotency-Key");
        assertThat(preflight.header("Access-Control-Max-Age")).isPresent();

        ApiClient.Response search = api.send("POST", "/v1/search", Map.of("Origin", BROWSER_ORIGIN,
                "Authorization", "Bearer " + key), Json.object("query", "tides"));
        assertThat(search.status()).as(search.body()).isEqualTo(200);
        assertThat(search.header("Access-Control-Allow-Origin")).contains(BROWSER_ORIGIN);
        assertThat(search.headers().allValues("Vary")).contains("Origin");
        assertThat(search.header("RateLimit-Remaining")).isPresent();
        assertThat(search.header("Access-Control-Expose-Headers").orElseThrow())
                .contains("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Location", "Retry-After");

        ApiClient.Response refused = api.send("GET", "/v1/documents", Map.of("Origin", BROWSER_ORIGIN), null);
        assertProblem(refused, 401);
        assertThat(refused.header("Access-Control-Allow-Origin")).as("the page can read the refusal")
                .contains(BROWSER_ORIGIN);
    }

    @Test
    void aPageOfAnotherOriginGetsNoCorsHeadersSoTheBrowserRefusesIt() {
        String key = system.registerCustomer("Somebody Else's Page");
        String other = "https://evil.example.test";

        ApiClient.Response preflight = api.send("OPTIONS", "/v1/search", Map.of("Origin", other,
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization"), null);
        ApiClient.Response search = api.send("POST", "/v1/search", Map.of("Origin", other,
                "Authorization", "Bearer " + key), Json.object("query", "tides"));

        assertThat(preflight.status()).isNotEqualTo(204);
        assertThat(preflight.header("Access-Control-Allow-Origin")).isEmpty();
        assertThat(preflight.header("Access-Control-Allow-Methods")).isEmpty();
        assertThat(search.status()).as("servers and scripts outside browsers are not affected").isEqualTo(200);
        assertThat(search.header("Access-Control-Allow-Origin")).isEmpty();
        assertThat(search.header("Access-Control-Expose-Headers")).isEmpty();
    }
}
