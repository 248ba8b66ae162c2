package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;

import static io.dynrag.app.e2e.TestSystem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The audit trail: every event of a customer's account and documents, who caused it and as part of
 * which request; paged, filtered, confined to its tenant, without personal data or secrets; and
 * documents as they were at an earlier instant.
 */
@Tag("e2e")
class AuditTest {

    private static final String CORRELATION = "X-Correlation-Id";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestSystem system;
    private ApiClient api;

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
        api = system.api();
    }

    @Test
    void aDocumentsHistoryNamesWhoDidWhatAndWhichRequestItBelongedTo() {
        TestSystem.Account account = system.signUp("Audited Tides Ltd");
        TestSystem.IssuedKey key = system.createApiKey(account.accessToken(), "ingest", "read");
        String run = UUID.randomUUID().toString().substring(0, 8);

        ApiClient.Response first = api.uploadTo("/v1/documents", withCorrelation(user(account), "upload-1." + run),
                "file", "tides.md", "# Tides\n\nThe moon pulls the sea into two bulges.".getBytes(StandardCharsets.UTF_8),
                null);
        assertThat(first.status()).as(first.body()).isEqualTo(202);
        assertThat(first.header(CORRELATION)).as("echoed").contains("upload-1." + run);
        String documentId = first.json().get("documentId").asText();
        system.awaitStatus(account.accessToken(), documentId, "INDEXED");

        ApiClient.Response second = api.uploadTo("/v1/documents/" + documentId + "/versions",
                withCorrelation(ApiClient.apiKeyHeader(key.secret()), "upload-2." + run), "file", "tides.md",
                "# Tides\n\nSpring tides follow full and new moons.".getBytes(StandardCharsets.UTF_8), null);
        assertThat(second.status()).as(second.body()).isEqualTo(202);
        awaitVersion(account.accessToken(), documentId, 2, "INDEXED");

        ApiClient.Response deleted = api.send("DELETE", "/v1/documents/" + documentId,
                withCorrelation(user(account), "delete." + run), null);
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);
        assertThat(deleted.header(CORRELATION)).contains("delete." + run);

        List<JsonNode> history = await().atMost(TestSystem.INDEXING_TIMEOUT).until(
                () -> allEvents(account.accessToken(), "/v1/audit/events?documentId=" + documentId),
                events -> types(events).contains("DocumentRemovedFromIndex"));

        assertThat(types(history)).containsExactly("DocumentVersionUploaded", "DocumentIngestionStarted",
                "DocumentVersionIndexed", "DocumentVersionUploaded", "DocumentIngestionStarted",
                "DocumentVersionIndexed", "DocumentDeleted", "DocumentRemovedFromIndex");
        String userActor = "user:" + account.userId();
        assertThat(field(history, "actor")).containsExactly(userActor, "system:pipeline", "system:pipeline",
                "apiKey:" + key.keyId(), "system:pipeline", "system:pipeline", userActor, "system:pipeline");
        assertThat(field(history, "correlationId")).as("the pipeline's outcomes belong to the request that caused them")
                .containsExactly("upload-1." + run, "upload-1." + run, "upload-1." + run,
                        "upload-2." + run, "upload-2." + run, "upload-2." + run, "delete." + run, "delete." + run);
        for (int i = 0; i < history.size(); i++) {
            JsonNode event = history.get(i);
            assertThat(event.get("sequenceNumber").asLong()).isEqualTo(i);
            assertThat(event.get("aggregateType").asText()).isEqualTo("Document");
            assertThat(event.get("aggregateId").asText()).isEqualTo(documentId);
            assertThat(event.get("eventId").asText()).matches(TestSystem.UUID_PATTERN);
            if (i > 0) {
                assertThat(time(event)).isAfterOrEqualTo(time(history.get(i - 1)));
            }
        }
        assertThat(history.get(0).get("payload").get("version").asInt()).isEqualTo(1);
        assertThat(history.get(3).get("payload").get("version").asInt()).isEqualTo(2);
        assertThat(history.get(5).get("payload").at("/stats/chunks").asInt()).isPositive();

        List<JsonNode> everything = allEvents(account.accessToken(), "/v1/audit/events");
        assertThat(types(everything)).as("the account's own events come first").startsWith("CustomerRegistered")
                .containsSubsequence(types(history));
        JsonNode registered = everything.getFirst();
        assertThat(registered.get("aggregateType").asText()).isEqualTo("Customer");
        assertThat(registered.get("aggregateId").asText()).isEqualTo(account.customerId());
        assertThat(registered.get("actor").asText()).as("self sign-up").isEqualTo("anonymous");
        assertThat(registered.get("correlationId").asText()).matches(TestSystem.UUID_PATTERN);
        assertThat(eventIds(everything)).containsAll(eventIds(history));
        assertThat(eventIds(allEvents(key.secret(), "/v1/audit/events"))).as("a key with read sees the same")
                .isEqualTo(eventIds(everything));
    }

    @Test
    void aResponseAlwaysCarriesACorrelationIdAndAMalformedOneIsRefused() {
        String apiKey = system.registerCustomer("Correlated Ltd");

        ApiClient.Response generated = api.get("/v1/audit/events", apiKey);
        assertThat(generated.status()).isEqualTo(200);
        assertThat(generated.header(CORRELATION)).hasValueSatisfying(id -> assertThat(id).matches(TestSystem.UUID_PATTERN));

        ApiClient.Response notFound = api.send("GET", "/v1/documents/" + UUID.randomUUID(),
                withCorrelation(ApiClient.bearer(apiKey), "lookup:42"), null);
        assertProblem(notFound, 404);
        assertThat(notFound.header(CORRELATION)).as("errors echo it too").contains("lookup:42");

        int before = allEvents(apiKey, "/v1/audit/events").size();
        for (String malformed : List.of("has space", "x".repeat(129), "semi;colon")) {
            ApiClient.Response refused = api.uploadTo("/v1/documents", withCorrelation(ApiClient.bearer(apiKey),
                    malformed), "file", "a.txt", "Some text.".getBytes(StandardCharsets.UTF_8), null);
            assertProblem(refused, 400);
            assertThat(refused.json().get("detail").asText()).contains(CORRELATION);
            assertThat(refused.header(CORRELATION)).hasValueSatisfying(id -> assertThat(id).matches(TestSystem.UUID_PATTERN));
        }
        assertThat(allEvents(apiKey, "/v1/audit/events")).as("refused requests change nothing").hasSize(before);
    }

    @Test
    void pagesFollowTheCursorAndYieldEveryEventOnceInOrder() {
        String apiKey = system.registerCustomer("Paged Ltd");
        for (int percent = 51; percent <= 57; percent++) {
            ApiClient.Response changed = api.putJson("/v1/customer/config", apiKey,
                    Json.object("budgetAlertPercent", percent));
            assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        }

        JsonNode whole = ok(api.get("/v1/audit/events?limit=1000", apiKey));
        assertThat(whole.has("nextCursor")).as("one page holds everything").isFalse();
        List<JsonNode> expected = list(whole.get("events"));
        assertThat(types(expected)).containsExactly("CustomerRegistered", "CustomerConfigurationChanged",
                "CustomerConfigurationChanged", "CustomerConfigurationChanged", "CustomerConfigurationChanged",
                "CustomerConfigurationChanged", "CustomerConfigurationChanged", "CustomerConfigurationChanged");
        assertThat(expected.get(7).at("/payload/configuration/budgetAlertPercent").asInt()).isEqualTo(57);
        assertThat(field(expected, "actor")).containsOnly("apiKey:" + keyIdOf(apiKey), "operator");

        List<JsonNode> paged = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = ok(api.get("/v1/audit/events?limit=3" + (cursor == null ? "" : "&cursor=" + cursor), apiKey));
            sizes.add(page.get("events").size());
            paged.addAll(list(page.get("events")));
            cursor = page.has("nextCursor") ? page.get("nextCursor").asText() : null;
        } while (cursor != null);

        assertThat(sizes).containsExactly(3, 3, 2);
        assertThat(eventIds(paged)).isEqualTo(eventIds(expected)).doesNotHaveDuplicates();
        assertThat(ok(api.get("/v1/audit/events?limit=8", apiKey)).has("nextCursor"))
                .as("no cursor when the page ends exactly at the last event").isFalse();
        assertThat(list(ok(api.get("/v1/audit/events", apiKey)).get("events"))).as("default limit 100").hasSize(8);
    }

    @Test
    void fromIsInclusiveAndToIsExclusive() {
        String apiKey = system.registerCustomer("Windowed Ltd");
        for (int percent = 61; percent <= 64; percent++) {
            assertThat(api.putJson("/v1/customer/config", apiKey, Json.object("budgetAlertPercent", percent)).status())
                    .isEqualTo(200);
            sleepPastTheMillisecond();
        }
        List<JsonNode> all = allEvents(apiKey, "/v1/audit/events");
        assertThat(all).hasSize(5);
        Instant third = time(all.get(2));

        List<JsonNode> fromThird = allEvents(apiKey, "/v1/audit/events?from=" + third);
        List<JsonNode> beforeThird = allEvents(apiKey, "/v1/audit/events?to=" + third);
        List<JsonNode> onlyThird = allEvents(apiKey, "/v1/audit/events?from=" + third + "&to=" + third.plusMillis(1));

        assertThat(eventIds(fromThird)).isEqualTo(eventIds(all.subList(2, 5)));
        assertThat(eventIds(beforeThird)).isEqualTo(eventIds(all.subList(0, 2)));
        assertThat(eventIds(onlyThird)).containsExactly(eventIds(all).get(2));
        String offset = URLEncoder.encode(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                third.atOffset(ZoneOffset.ofHours(2))), StandardCharsets.UTF_8);
        assertThat(eventIds(allEvents(apiKey, "/v1/audit/events?from=" + offset))).as("any offset")
                .isEqualTo(eventIds(fromThird));
        assertThat(allEvents(apiKey, "/v1/audit/events?from=" + Instant.now().plus(1, ChronoUnit.DAYS))).isEmpty();
    }

    @Test
    void aCustomerSeesOnlyItsOwnEvents() {
        String[] owner = system.registerCustomerWithId("Owner of Secrets Ltd");
        String[] stranger = system.registerCustomerWithId("Stranger Ltd");
        String ownersDocument = uploaded(owner[1], "owned.txt", "Only the owner may read this history.");
        String strangersDocument = uploaded(stranger[1], "other.txt", "The stranger's own text.");

        assertProblem(api.get("/v1/audit/events?documentId=" + ownersDocument, stranger[1]), 404);
        assertProblem(api.get("/v1/audit/events?documentId=" + UUID.randomUUID(), stranger[1]), 404);
        assertProblem(api.get("/v1/audit/events?documentId=not-a-uuid", stranger[1]), 404);

        List<JsonNode> ownersEvents = allEvents(owner[1], "/v1/audit/events");
        List<JsonNode> strangersEvents = allEvents(stranger[1], "/v1/audit/events");
        assertThat(ownersEvents).extracting(e -> e.get("aggregateId").asText())
                .containsOnly(owner[0], ownersDocument);
        assertThat(strangersEvents).extracting(e -> e.get("aggregateId").asText())
                .containsOnly(stranger[0], strangersDocument);
        assertThat(eventIds(strangersEvents)).doesNotContainAnyElementsOf(eventIds(ownersEvents));
        assertProblem(api.get("/v1/admin/audit/events?customerId=" + owner[0], stranger[1]), 403);
    }

    @Test
    void adminsReadAnyCustomersEventsAndAreNamedAsActors() {
        String[] customer = system.registerCustomerWithId("Administered Ltd");
        String documentId = uploaded(customer[1], "admin.txt", "A document an admin will audit.");
        // Its history is complete once indexed, so every read below sees the same events.
        system.awaitStatus(customer[1], documentId, "INDEXED");
        String admin = system.adminAccessToken();
        String adminUserId = ok(api.get("/v1/auth/me", admin)).get("userId").asText();
        assertThat(api.postJson("/v1/admin/customers/" + customer[0] + "/suspend", admin,
                Json.object("reason", "audit test")).status()).isEqualTo(200);
        assertThat(api.postJson("/v1/admin/customers/" + customer[0] + "/reactivate", TestSystem.OPERATOR_TOKEN,
                "").status()).isEqualTo(200);
        assertThat(api.putJson("/v1/admin/customers/" + customer[0] + "/ceilings", admin,
                Json.object("requestsPerMinute", 700)).status()).isEqualTo(200);

        List<JsonNode> asAdmin = allEvents(admin, "/v1/admin/audit/events?customerId=" + customer[0]);
        assertThat(eventIds(asAdmin)).isEqualTo(eventIds(allEvents(customer[1], "/v1/audit/events")));
        JsonNode suspended = only(asAdmin, "CustomerSuspended");
        assertThat(suspended.get("actor").asText()).isEqualTo("admin:" + adminUserId);
        assertThat(suspended.at("/payload/reason").asText()).isEqualTo("audit test");
        assertThat(only(asAdmin, "CustomerReactivated").get("actor").asText()).isEqualTo("operator");
        assertThat(only(asAdmin, "CustomerRegistered").get("actor").asText()).isEqualTo("operator");
        JsonNode ceilings = only(asAdmin, "CustomerCeilingsChanged");
        assertThat(ceilings.get("actor").asText()).as("the customer sees who set its ceilings")
                .isEqualTo("admin:" + adminUserId);
        assertThat(ceilings.at("/payload/ceilings/requestsPerMinute").asInt()).isEqualTo(700);
        assertThat(ceilings.at("/payload/ceilings/maxDocuments").isNull()).as("the default applies").isTrue();

        List<JsonNode> ofDocument = allEvents(admin, "/v1/admin/audit/events?customerId=" + customer[0]
                + "&documentId=" + documentId);
        assertThat(ofDocument).isNotEmpty().allSatisfy(e -> assertThat(e.get("aggregateId").asText()).isEqualTo(documentId));
        assertThat(eventIds(allEvents(admin, "/v1/admin/audit/events?documentId=" + documentId)))
                .isEqualTo(eventIds(ofDocument));
        JsonNode everyone = ok(api.get("/v1/admin/audit/events?limit=5", admin));
        assertThat(everyone.get("events")).hasSize(5);
        assertThat(everyone.has("nextCursor")).isTrue();

        assertProblem(api.get("/v1/admin/audit/events?customerId=" + UUID.randomUUID(), admin), 404);
        assertProblem(api.get("/v1/admin/audit/events?customerId=not-a-uuid", admin), 404);
        String stranger = system.registerCustomerWithId("Unrelated Ltd")[0];
        assertProblem(api.get("/v1/admin/audit/events?customerId=" + stranger + "&documentId=" + documentId, admin),
                404);
        assertProblem(api.get("/v1/audit/events", admin), 403);
    }

    @Test
    void payloadsShowNeitherPersonalDataNorSecrets() {
        TestSystem.Account account = system.signUp("Confidential Cartographers");
        String providerKey = "sk-live-" + UUID.randomUUID().toString().replace("-", "");
        ApiClient.Response stored = api.putJson("/v1/customer/provider-key", account.accessToken(),
                Json.object("provider", "openai", "apiKey", providerKey, "baseUrl", "http://127.0.0.1:9"));
        assertThat(stored.status()).as(stored.body()).isEqualTo(200);
        TestSystem.IssuedKey key = system.createApiKey(account.accessToken(), "read");

        ApiClient.Response response = api.get("/v1/audit/events", key.secret());
        assertThat(response.status()).isEqualTo(200);
        List<JsonNode> events = list(response.json().get("events"));
        JsonNode registered = only(events, "CustomerRegistered");
        assertThat(registered.at("/payload/company").toString()).isEqualTo("{\"encrypted\":true}");
        assertThat(registered.at("/payload/email").toString()).isEqualTo("{\"encrypted\":true}");
        assertThat(registered.at("/payload/configuration/embeddingModel").asText()).isNotBlank();
        assertThat(only(events, "ProviderKeyChanged").at("/payload/fingerprint").asText())
                .isEqualTo(stored.json().get("fingerprint").asText());

        JsonNode storedPayload = storedPayload(account.customerId());
        String ciphertext = storedPayload.at("/company/ciphertext").asText();
        assertThat(ciphertext).as("the store holds ciphertext").isNotBlank();
        assertThat(response.body()).doesNotContain(ciphertext)
                .doesNotContain(storedPayload.at("/email/ciphertext").asText())
                .doesNotContain(storedPayload.at("/company/keyId").asText())
                .doesNotContain("ciphertext")
                .doesNotContain(account.company())
                .doesNotContain(account.email())
                .doesNotContain(providerKey)
                .doesNotContain(key.secret())
                .doesNotContain(account.accessToken());
    }

    @Test
    void badParametersAreProblemsThatChangeNothing() {
        String apiKey = system.registerCustomer("Careless Caller Ltd");
        String documentId = uploaded(apiKey, "x.txt", "Text for bad parameters.");
        for (String query : List.of("from=yesterday", "to=2026-13-01T00:00:00Z", "from=2026-11-26",
                "from=2026-11-27T00:00:00Z&to=2026-11-26T00:00:00Z", "limit=0", "limit=1001", "limit=many",
                "limit=2.5", "cursor=garbage", "cursor=" + "A".repeat(100))) {
            ApiClient.Response refused = api.outsideContract().get("/v1/audit/events?" + query, apiKey);
            assertProblem(refused, 400);
            assertThat(refused.json().get("detail").asText()).as(query)
                    .containsAnyOf("'from'", "'to'", "'limit'", "'cursor'");
        }
        assertProblem(api.outsideContract().get("/v1/admin/audit/events?limit=0", system.adminAccessToken()), 400);
        for (String asOf : List.of("asOf=yesterday", "asOf=2026-11-26", "asOf=1700000000")) {
            assertProblem(api.outsideContract().get("/v1/documents/" + documentId + "?" + asOf, apiKey), 400);
            assertProblem(api.outsideContract().get("/v1/documents/" + documentId + "/versions?" + asOf, apiKey),
                    400);
        }
        assertProblem(api.get("/v1/documents/" + documentId + "?asOf=" + Instant.now(), system.registerCustomer("Other")),
                404);
        assertThat(ok(api.get("/v1/documents/" + documentId, apiKey)).get("version").asInt()).isEqualTo(1);
    }

    @Test
    void aDocumentCanBeReadAsItWasAtAnEarlierInstant() {
        String apiKey = system.registerCustomer("Time Travellers Ltd");
        String documentId = uploaded(apiKey, "atlas.md", "# Atlas\n\nThe first edition mapped the coast.");
        system.awaitStatus(apiKey, documentId, "INDEXED");
        ApiClient.Response second = api.uploadTo("/v1/documents/" + documentId + "/versions",
                ApiClient.bearer(apiKey), "file", "atlas.md",
                "# Atlas\n\nThe second edition mapped the islands as well.".getBytes(StandardCharsets.UTF_8), null);
        assertThat(second.status()).as(second.body()).isEqualTo(202);
        awaitVersion(apiKey, documentId, 2, "INDEXED");
        assertThat(api.delete("/v1/documents/" + documentId, apiKey).status()).isEqualTo(202);

        List<JsonNode> history = allEvents(apiKey, "/v1/audit/events?documentId=" + documentId);
        List<JsonNode> uploads = history.stream().filter(e -> type(e).equals("DocumentVersionUploaded")).toList();
        List<JsonNode> indexed = history.stream().filter(e -> type(e).equals("DocumentVersionIndexed")).toList();
        Instant firstUpload = time(uploads.get(0));
        Instant secondUpload = time(uploads.get(1));
        Instant firstIndexed = time(indexed.get(0));
        Instant secondIndexed = time(indexed.get(1));

        assertProblem(api.get(asOf(documentId, firstUpload.minusMillis(1)), apiKey), 404);
        assertProblem(api.get("/v1/documents/" + documentId + "/versions?asOf=" + firstUpload.minusMillis(1), apiKey),
                404);

        JsonNode atFirstIndexed = ok(api.get(asOf(documentId, firstIndexed), apiKey));
        assertThat(atFirstIndexed.get("version").asInt()).isEqualTo(1);
        assertThat(atFirstIndexed.get("status").asText()).isEqualTo("INDEXED");
        JsonNode justBeforeSecond = ok(api.get(asOf(documentId, secondUpload.minusMillis(1)), apiKey));
        assertThat(justBeforeSecond.get("version").asInt()).as("the old version").isEqualTo(1);
        assertThat(justBeforeSecond.get("status").asText()).isEqualTo("INDEXED");
        assertThat(justBeforeSecond.get("chunks").asInt()).isEqualTo(indexed.get(0).at("/payload/stats/chunks").asInt());
        JsonNode atSecondUpload = ok(api.get(asOf(documentId, secondUpload), apiKey));
        assertThat(atSecondUpload.get("version").asInt()).isEqualTo(2);
        assertThat(atSecondUpload.get("status").asText()).isIn("PENDING", "PROCESSING");
        JsonNode atSecondIndexed = ok(api.get(asOf(documentId, secondIndexed), apiKey));
        assertThat(atSecondIndexed.get("version").asInt()).isEqualTo(2);
        assertThat(atSecondIndexed.get("status").asText()).isEqualTo("INDEXED");
        JsonNode tomorrow = ok(api.get(asOf(documentId, Instant.now().plus(1, ChronoUnit.DAYS)), apiKey));
        assertThat(tomorrow.get("status").asText()).as("deleted by then").isEqualTo("DELETED");
        assertThat(tomorrow.get("version").asInt()).isEqualTo(2);

        JsonNode versionsThen = ok(api.get("/v1/documents/" + documentId + "/versions?asOf=" + firstIndexed, apiKey));
        assertThat(versionsThen.get("versions")).hasSize(1);
        assertThat(versionsThen.get("versions").get(0).get("status").asText()).isEqualTo("INDEXED");
        JsonNode versionsNow = ok(api.get("/v1/documents/" + documentId + "/versions?asOf=" + secondIndexed, apiKey));
        assertThat(versionsNow.get("versions")).hasSize(2);
    }

    private static String asOf(String documentId, Instant instant) {
        return "/v1/documents/" + documentId + "?asOf=" + instant;
    }

    private String uploaded(String credential, String filename, String text) {
        ApiClient.Response created = api.upload(credential, "file", filename, text.getBytes(StandardCharsets.UTF_8),
                null);
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        return created.json().get("documentId").asText();
    }

    private void awaitVersion(String credential, String documentId, int version, String status) {
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> api.get("/v1/documents/" + documentId, credential).json(),
                view -> view.get("version").asInt() == version && status.equals(view.get("status").asText()));
    }

    /** Every event of the listing, following the cursors to the end. */
    private List<JsonNode> allEvents(String credential, String path) {
        List<JsonNode> events = new ArrayList<>();
        String cursor = null;
        do {
            String separator = path.contains("?") ? "&" : "?";
            JsonNode page = ok(api.get(path + (cursor == null ? "" : separator + "cursor=" + cursor), credential));
            events.addAll(list(page.get("events")));
            cursor = page.has("nextCursor") ? page.get("nextCursor").asText() : null;
        } while (cursor != null);
        return events;
    }

    private JsonNode storedPayload(String customerId) {
        Object payload = system.database().rows("SELECT payload FROM command.domain_event_entry "
                + "WHERE aggregate_identifier = ? AND sequence_number = 0", customerId).getFirst().get("payload");
        try {
            return JSON.readTree((byte[]) payload);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key id of a key created by the operator: the first API key of its customer. */
    private String keyIdOf(String apiKey) {
        return ok(api.get("/v1/auth/me", apiKey)).get("keyId").asText();
    }

    private static Map<String, String> user(TestSystem.Account account) {
        return ApiClient.bearer(account.accessToken());
    }

    private static Map<String, String> withCorrelation(Map<String, String> headers, String correlationId) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put(CORRELATION, correlationId);
        return all;
    }

    private static JsonNode only(List<JsonNode> events, String type) {
        List<JsonNode> matching = events.stream().filter(e -> type(e).equals(type)).toList();
        assertThat(matching).as(type).hasSize(1);
        return matching.getFirst();
    }

    private static List<JsonNode> list(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).toList();
    }

    private static String type(JsonNode event) {
        return event.get("type").asText();
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(AuditTest::type).toList();
    }

    private static List<String> field(List<JsonNode> events, String name) {
        return events.stream().map(e -> e.path(name).asText(null)).toList();
    }

    private static List<String> eventIds(List<JsonNode> events) {
        List<String> ids = field(events, "eventId");
        assertThat(new HashSet<>(ids)).as("event ids are unique").hasSize(ids.size());
        return ids;
    }

    private static Instant time(JsonNode event) {
        return Instant.parse(event.get("time").asText());
    }

    /** Stored times have milliseconds: events a millisecond apart can be told apart by time. */
    private static void sleepPastTheMillisecond() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static JsonNode ok(ApiClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }
}
