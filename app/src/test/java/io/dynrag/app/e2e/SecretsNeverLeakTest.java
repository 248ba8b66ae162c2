package io.dynrag.app.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.customer.ProviderKeyChanged;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.dynrag.app.e2e.TestSystem.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One customer's whole life of credentials, failures included, with every log line of the process
 * captured (our own code at DEBUG): no password, token, API key, webhook secret or provider key may
 * appear in a log, in the database (nor in an answer kept under an Idempotency-Key, opened) or on
 * Kafka, and a response shows a secret only when it issues it, never when it is a retry's.
 */
@Tag("e2e")
class SecretsNeverLeakTest {

    private final TestSystem system = TestSystem.shared();
    private final ApiClient api = system.api();
    /** Every response of the flow, with the secrets it may show because it issued them. */
    private final List<Exchange> exchanges = new ArrayList<>();
    /** The Idempotency-Keys the flow sends, whose kept answers are opened and searched. */
    private final List<String> idempotencyKeys = new ArrayList<>();

    private record Exchange(String request, ApiClient.Response response, Set<String> issued) {
    }

    /** What the flow leaves behind in clear on purpose: ids, the email, a provider key's fingerprint. */
    private record Traces(String customerId, String email, String fingerprint) {
    }

    @Test
    void noSecretReachesALogTheStoreKafkaOrAnotherResponse() {
        Map<String, String> secrets = new LinkedHashMap<>();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger ours = context.getLogger("io.dynrag");
        Level configured = ours.getLevel();
        logs.setContext(context);
        logs.start();
        root.addAppender(logs);
        ours.setLevel(Level.DEBUG);
        Traces traces;
        try {
            traces = runThroughEveryCredential(secrets);
        } finally {
            ours.setLevel(configured);
            root.detachAppender(logs);
        }

        List<String> logged;
        synchronized (logs) {
            logged = logs.list.stream().map(SecretsNeverLeakTest::render).toList();
        }
        assertThat(logged).as("the flow was logged at all").isNotEmpty();
        secrets.forEach((name, secret) -> assertThat(logged).as(name + " in a log line")
                .noneMatch(line -> line.contains(secret)));

        for (Exchange exchange : exchanges) {
            String body = exchange.response().body();
            assertThat(body).as(exchange.request()).doesNotContain("Exception").doesNotContain("\tat ");
            secrets.forEach((name, secret) -> {
                if (!exchange.issued().contains(secret)) {
                    assertThat(body).as(name + " in the answer to " + exchange.request()).doesNotContain(secret);
                }
            });
        }

        Database database = system.database();
        assertThat(storedInClear(database, Map.of("email", traces.email()))).as("the search finds text")
                .contains("email in command.user_account");
        assertThat(storedInClear(database, Map.of("fingerprint", traces.fingerprint())))
                .as("the search finds text in binary columns").contains("fingerprint in command.domain_event_entry");
        assertThat(storedInClear(database, secrets)).isEmpty();
        List<String> kept = idempotencyKeys.stream().flatMap(key -> system.keptAnswers(key).stream()).toList();
        assertThat(kept).as("answers kept under the flow's Idempotency-Keys (none for the refresh)").hasSize(3);
        secrets.forEach((name, secret) -> assertThat(kept).as(name + " in a kept answer")
                .noneMatch(answer -> answer.contains(secret)));

        List<byte[]> published = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            published.clear();
            List<CustomerEvent> events = new ArrayList<>();
            system.topicRecords(Topics.CUSTOMER_EVENTS.name()).stream()
                    .filter(record -> traces.customerId().equals(record.key()))
                    .forEach(record -> {
                        published.add(record.value());
                        events.add(Topics.CUSTOMER_EVENTS.valueSerde().deserializer()
                                .deserialize(record.topic(), record.value()));
                    });
            assertThat(events).as("provider key set, replaced and removed")
                    .filteredOn(event -> event.getPayload() instanceof ProviderKeyChanged).hasSize(3);
        });
        system.topicRecords(Topics.DOCUMENT_EVENTS.name()).stream()
                .filter(record -> traces.customerId().equals(record.key()))
                .forEach(record -> published.add(record.value()));
        secrets.forEach((name, secret) -> assertThat(published).as(name + " published")
                .noneMatch(value -> new String(value, StandardCharsets.ISO_8859_1).contains(secret)));
    }

    private Traces runThroughEveryCredential(Map<String, String> secrets) {
        String email = TestSystem.uniqueEmail("secrets");
        String company = "Secretive " + UUID.randomUUID();
        secrets.put("password", PASSWORD);
        secrets.put("admin password", TestSystem.ADMIN_PASSWORD);
        secrets.put("operator token", TestSystem.OPERATOR_TOKEN);

        call("signup", api.postJson("/v1/auth/signup", null,
                Json.object("email", email, "password", PASSWORD, "company", company)), 202, secrets);
        JsonNode firstLogin = call("first login", api.postJson("/v1/auth/login", null,
                Json.object("email", email, "password", PASSWORD)), 200, secrets);
        String access = firstLogin.get("accessToken").asText();
        String customerId = firstLogin.get("customerId").asText();
        call("weak password", api.postJson("/v1/auth/signup", null,
                Json.object("email", TestSystem.uniqueEmail("weak"), "password", "tiny secret", "company", company)),
                400, secrets);
        secrets.put("a weak password", "tiny secret");

        ApiClient guesser = system.apiFromNewAddress();
        secrets.put("a wrong password", "wrong password " + UUID.randomUUID());
        call("wrong password", guesser.postJson("/v1/auth/login", null,
                Json.object("email", email, "password", secrets.get("a wrong password"))), 401, secrets);
        call("unknown email", guesser.postJson("/v1/auth/login", null,
                Json.object("email", TestSystem.uniqueEmail("nobody"), "password", secrets.get("a wrong password"))),
                401, secrets);
        JsonNode login = call("login", api.postJson("/v1/auth/login", null,
                Json.object("email", email, "password", PASSWORD)), 200, secrets);
        String used = login.get("refreshToken").asText();
        Map<String, String> refreshKey = Map.of("Idempotency-Key", idempotencyKey());
        call("refresh", api.send("POST", "/v1/auth/refresh", refreshKey, Json.object("refreshToken", used)), 200,
                secrets);
        call("refresh sent again with its key", api.send("POST", "/v1/auth/refresh", refreshKey,
                Json.object("refreshToken", used)), 401, secrets);
        call("refresh token as bearer", api.get("/v1/auth/me", used), 401, secrets);
        call("refresh token as API key", api.send("GET", "/v1/auth/me", ApiClient.apiKeyHeader(used), null), 401,
                secrets);
        JsonNode admin = call("admin login", api.postJson("/v1/auth/login", null,
                Json.object("email", TestSystem.ADMIN_EMAIL, "password", TestSystem.ADMIN_PASSWORD)), 200, secrets);
        call("admin reads the customer", api.get("/v1/admin/customers/" + customerId,
                admin.get("accessToken").asText()), 200, secrets);
        call("operator token in X-API-Key", api.send("GET", "/v1/auth/me",
                ApiClient.apiKeyHeader(TestSystem.OPERATOR_TOKEN), null), 401, secrets);
        call("access token with a broken signature", api.get("/v1/auth/me", access.substring(0, access.length() - 4)
                + "AAAA"), 401, secrets);

        Map<String, String> keyCreation = keyed(access);
        String everything = Json.object("name", "everything", "scopes", List.of("ingest", "search", "read", "admin"));
        JsonNode key = call("create API key", api.send("POST", "/v1/api-keys", keyCreation, everything), 201, secrets);
        call("create API key again", api.send("POST", "/v1/api-keys", keyCreation, everything), 201, secrets);
        String apiKey = key.get("apiKey").asText();
        call("list API keys", api.get("/v1/api-keys", apiKey), 200, secrets);
        call("upload", api.upload(apiKey, "file", "notes.txt", Corpus.recipes().getBytes(StandardCharsets.UTF_8),
                "Notes"), 202, secrets);
        call("search with X-API-Key", api.send("POST", "/v1/search", ApiClient.apiKeyHeader(apiKey),
                Json.object("query", "sourdough")), 200, secrets);
        call("API key without its prefix", api.get("/v1/auth/me", apiKey.substring(4)), 401, secrets);
        JsonNode revocable = call("create another API key", api.postJson("/v1/api-keys", apiKey,
                Json.object("scopes", List.of("read"))), 201, secrets);
        call("revoke it", api.delete("/v1/api-keys/" + revocable.get("keyId").asText(), access), 204, secrets);
        call("use it", api.get("/v1/customer/config", revocable.get("apiKey").asText()), 401, secrets);

        Map<String, String> webhookCreation = keyed(apiKey);
        String webhook = Json.object("url", "http://127.0.0.1:9/hooks", "eventTypes", List.of("document.failed"));
        JsonNode created = call("create webhook", api.send("POST", "/v1/webhooks", webhookCreation, webhook), 201,
                secrets);
        call("create webhook again", api.send("POST", "/v1/webhooks", webhookCreation, webhook), 201, secrets);
        String rotate = "/v1/webhooks/" + created.get("webhookId").asText() + "/rotate-secret";
        Map<String, String> rotation = keyed(access);
        call("rotate webhook secret", api.send("POST", rotate, rotation, null), 200, secrets);
        call("rotate webhook secret again", api.send("POST", rotate, rotation, null), 200, secrets);
        call("list webhooks", api.get("/v1/webhooks", apiKey), 200, secrets);

        String providerKey = "sk-live-" + UUID.randomUUID().toString().replace("-", "");
        String replacement = "sk-live-" + UUID.randomUUID().toString().replace("-", "");
        secrets.put("provider key", providerKey);
        secrets.put("replacement provider key", replacement);
        JsonNode stored = call("set provider key", api.putJson("/v1/customer/provider-key", access,
                Json.object("provider", "openai", "apiKey", providerKey)), 200, secrets);
        assertThat(stored.get("provider").asText()).isEqualTo("openai");
        assertThat(stored.get("fingerprint").asText()).startsWith("sha256:");
        List<String> fields = new ArrayList<>();
        stored.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactlyInAnyOrder("provider", "fingerprint");
        call("provider key with a bad URL", api.putJson("/v1/customer/provider-key", access,
                Json.object("provider", "openai", "apiKey", providerKey, "baseUrl", "ftp://nowhere")), 400, secrets);
        call("replace provider key", api.putJson("/v1/customer/provider-key", apiKey,
                Json.object("provider", "openai", "apiKey", replacement, "baseUrl", "http://127.0.0.1:9")), 200,
                secrets);
        call("read configuration", api.get("/v1/customer/config", apiKey), 200, secrets);
        call("remove provider key", api.delete("/v1/customer/provider-key?provider=openai", access), 204, secrets);

        call("logout", api.postJson("/v1/auth/logout", null, Json.object("refreshToken",
                secrets.get("first login refreshToken"))), 204, secrets);
        return new Traces(customerId, email.toLowerCase(Locale.ROOT), stored.get("fingerprint").asText());
    }

    /** Checks the status, and adds the credentials the answer issues to the secrets, named after the request. */
    private JsonNode call(String request, ApiClient.Response response, int status, Map<String, String> secrets) {
        assertThat(response.status()).as(request + ": " + response.body()).isEqualTo(status);
        JsonNode body = response.body().isEmpty() ? null : response.json();
        List<String> issued = new ArrayList<>();
        for (String field : List.of("accessToken", "refreshToken", "apiKey", "secret")) {
            if (body != null && body.hasNonNull(field)) {
                String secret = body.get(field).asText();
                issued.add(secret);
                secrets.put(request + " " + field, secret);
                // Parts that a log could show alone: a token's signature, the key after its shown prefix.
                String part = field.equals("accessToken") ? JwtParts.signature(secret)
                        : field.equals("apiKey") ? secret.substring(10) : null;
                if (part != null) {
                    issued.add(part);
                    secrets.put(request + " " + field + " part", part);
                }
            }
        }
        exchanges.add(new Exchange(request, response, Set.copyOf(issued)));
        return body;
    }

    /** A credential and a new Idempotency-Key, whose kept answer is searched at the end. */
    private Map<String, String> keyed(String credential) {
        Map<String, String> headers = new LinkedHashMap<>(ApiClient.bearer(credential));
        headers.put("Idempotency-Key", idempotencyKey());
        return headers;
    }

    private String idempotencyKey() {
        String key = UUID.randomUUID().toString();
        idempotencyKeys.add(key);
        return key;
    }

    private static String render(ILoggingEvent event) {
        String line = event.getLoggerName() + " " + event.getFormattedMessage() + " " + event.getMDCPropertyMap();
        return event.getThrowableProxy() == null ? line
                : line + "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
    }

    /** The secrets found in any text or binary column of any table of our schemas, with where. */
    private static List<String> storedInClear(Database database, Map<String, String> secrets) {
        Map<String, List<String>> binaryColumns = new LinkedHashMap<>();
        database.rows("""
                SELECT t.table_schema || '.' || t.table_name AS name, c.column_name FROM information_schema.tables t
                LEFT JOIN information_schema.columns c ON c.table_schema = t.table_schema
                    AND c.table_name = t.table_name AND c.data_type = 'bytea'
                WHERE t.table_schema IN ('command', 'projections') AND t.table_type = 'BASE TABLE'""")
                .forEach(row -> {
                    List<String> columns = binaryColumns.computeIfAbsent((String) row.get("name"),
                            name -> new ArrayList<>());
                    if (row.get("column_name") != null) {
                        columns.add((String) row.get("column_name"));
                    }
                });
        String[] values = secrets.values().toArray(String[]::new);
        List<String> found = new ArrayList<>();
        binaryColumns.forEach((table, columns) -> {
            StringBuilder matches = new StringBuilder("strpos(t::text, s.secret) > 0");
            columns.forEach(column -> matches.append(" OR position(convert_to(s.secret, 'UTF8') in coalesce(t.")
                    .append(column).append(", ''::bytea)) > 0"));
            database.rows("SELECT s.secret FROM unnest(?::text[]) AS s(secret) WHERE EXISTS (SELECT 1 FROM "
                    + table + " t WHERE " + matches + ")", (Object) values)
                    .forEach(row -> secrets.forEach((name, secret) -> {
                        if (secret.equals(row.get("secret"))) {
                            found.add(name + " in " + table);
                        }
                    }));
        });
        return found;
    }
}
