package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The MCP server at {@code /mcp}, driven by the MCP Java SDK's own client over Streamable HTTP: the tools an agent
 * uses to add, wait for, read and search documents, with the API's credentials, scopes and tenant isolation.
 */
@Tag("e2e")
class McpServerTest {

    private static final String TIDES = """
            # Tide tables

            The moon pulls the ocean towards it, raising two bulges of water that sweep around the planet:
            most coasts see two high tides and two low tides every lunar day.

            ## Spring and neap tides

            When sun and moon line up, their pulls add and spring tides run highest; at right angles they
            partly cancel and neap tides run lowest.
            """;
    private static final String INITIALIZE = """
            {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18",
             "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}}""";

    private TestSystem system;
    private ApiClient api;
    private final List<McpSyncClient> clients = new ArrayList<>();

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
        api = system.api();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(McpSyncClient::closeGracefully);
    }

    @Test
    void anAgentsSearchFindsADeletedDocumentNeitherNowNorInThePastNorWithinItsVersions() {
        String key = system.registerCustomer("Mcp Forgetting Ltd");
        McpSyncClient mcp = client(key);
        String documentId = system.uploadDocument(key, "tides.txt", TIDES);
        system.awaitStatus(key, documentId, "INDEXED");
        String beforeDeletion = Instant.now().toString();
        assertThat(list(success(mcp, "search", Map.of("query", "spring tides", "asOf", beforeDeletion))
                .get("results"))).isNotEmpty();

        assertThat(api.delete("/v1/documents/" + documentId, key).status()).isEqualTo(202);

        for (Map<String, Object> arguments : List.<Map<String, Object>>of(Map.of("query", "spring tides"),
                Map.of("query", "spring tides", "asOf", beforeDeletion),
                Map.of("query", "spring tides", "asOf", beforeDeletion, "mode", "keyword"))) {
            assertThat(list(success(mcp, "search", arguments).get("results"))).as(arguments.toString()).isEmpty();
        }
        assertRefused(call(mcp, "search", Map.of("query", "spring tides", "documentId", documentId, "version", 1)),
                "404", documentId);
    }

    @Test
    void anAgentAddsADocumentWaitsForItsIndexingThenReadsAndSearchesItWithCitations() throws IOException {
        String key = system.registerCustomer("Mcp Agents Ltd");
        McpSyncClient mcp = client(key);

        McpSchema.InitializeResult initialized = mcp.initialize();
        assertThat(initialized.serverInfo().name()).isEqualTo("dynrag");
        assertThat(initialized.capabilities().tools()).isNotNull();
        List<McpSchema.Tool> tools = mcp.listTools().tools();
        assertThat(tools).extracting(McpSchema.Tool::name).containsExactlyInAnyOrder("search", "list_documents",
                "get_document", "document_status", "read_document", "add_document_from_url", "add_text_document");
        assertThat(tools).allSatisfy(tool -> {
            assertThat(tool.description()).isNotBlank();
            assertThat(tool.inputSchema()).containsEntry("type", "object").containsEntry("additionalProperties", false);
            assertThat(map(tool.inputSchema().get("properties"))).isNotEmpty();
        });

        Map<String, Object> added = success(mcp, "add_text_document", Map.of("title", "Tide tables", "text", TIDES,
                "metadata", Map.of("team", "oceans")));
        String documentId = (String) added.get("documentId");
        assertThat(added).containsEntry("version", 1).containsEntry("status", "PENDING");
        await().atMost(TestSystem.INDEXING_TIMEOUT).pollInterval(Duration.ofMillis(250)).until(
                () -> success(mcp, "document_status", Map.of("documentId", documentId)).get("status"),
                "INDEXED"::equals);
        assertThat(success(mcp, "document_status", Map.of("documentId", documentId))).containsEntry("searchable", true);

        McpSchema.CallToolResult searched = call(mcp, "search", Map.of("query", "when do spring tides run highest",
                "topK", 3, "filter", Map.of("metadata.team", "oceans")));
        assertThat(searched.isError()).as(text(searched)).isFalse();
        List<Map<String, Object>> hits = list(structured(searched).get("results"));
        assertThat(hits).isNotEmpty().allSatisfy(hit -> assertThat(hit)
                .containsEntry("documentId", documentId).containsEntry("version", 1)
                .containsEntry("title", "Tide tables").containsKey("chunkIndex").containsKey("text"));
        assertThat(text(searched)).contains("\"Tide tables\" (document " + documentId + ", version 1, chunk ");

        Map<String, Object> document = success(mcp, "get_document", Map.of("documentId", documentId));
        assertThat(map(document.get("document"))).containsEntry("title", "Tide tables")
                .containsEntry("status", "INDEXED").containsEntry("metadata", Map.of("team", "oceans"));
        assertThat(list(document.get("versions"))).singleElement().satisfies(version ->
                assertThat(version).containsEntry("version", 1).containsEntry("status", "INDEXED"));

        Map<String, Object> listed = success(mcp, "list_documents", Map.of("limit", 5, "status", List.of("INDEXED"),
                "metadata", Map.of("team", "oceans")));
        assertThat(list(listed.get("documents"))).extracting(item -> item.get("documentId")).containsExactly(documentId);

        McpSchema.CallToolResult read = call(mcp, "read_document", Map.of("documentId", documentId, "version", 1));
        assertThat(read.isError()).as(text(read)).isFalse();
        List<Map<String, Object>> chunks = list(structured(read).get("chunks"));
        assertThat(chunks).isNotEmpty();
        assertThat(chunks.getFirst()).containsEntry("chunkIndex", 0);
        assertThat(structured(read)).containsEntry("title", "Tide tables").containsEntry("version", 1);
        assertThat(text(read)).contains("(document " + documentId + ", version 1, chunk 0)").contains("spring tides");

        HttpServer pages = tidesPage(new AtomicInteger());
        try {
            Map<String, Object> fetched = success(mcp, "add_document_from_url", Map.of(
                    "url", tidesUrl(pages), "title", "Fetched tides"));
            assertThat(success(mcp, "get_document", Map.of("documentId", fetched.get("documentId"))))
                    .extractingByKey("document").satisfies(view ->
                            assertThat(map(view)).containsEntry("title", "Fetched tides"));
        } finally {
            pages.stop(0);
        }
    }

    @Test
    void aRequestWithoutValidCredentialsIsRefusedWith401AndABearerChallenge() {
        for (Map<String, String> credentials : List.of(Map.<String, String>of(), ApiClient.bearer("not-a-key"),
                ApiClient.bearer("drk_" + "0".repeat(40)))) {
            ApiClient.Response refused = api.send("POST", "/mcp", withMcpHeaders(credentials), INITIALIZE);
            TestSystem.assertProblem(refused, 401);
            assertThat(refused.header("WWW-Authenticate")).hasValueSatisfying(value -> assertThat(value).startsWith("Bearer"));
        }
        assertThatThrownBy(() -> client("not-a-key").initialize()).isInstanceOf(RuntimeException.class);

        String key = system.registerCustomer("Mcp Wire Ltd");
        ApiClient.Response answered = api.send("POST", "/mcp", withMcpHeaders(ApiClient.bearer(key)), INITIALIZE);
        assertThat(answered.status()).as(answered.body()).isEqualTo(200);
        assertThat(answered.json().get("result").get("serverInfo").get("name").asText()).isEqualTo("dynrag");
        assertThat(answered.header("X-Correlation-Id")).isPresent();
        assertThat(answered.header("RateLimit-Remaining").or(() -> answered.header("RateLimit"))).isPresent();
    }

    @Test
    void aRequestOverTheRateLimitOrNoMcpPostIsRefusedAsHttpBeforeAnyTool() {
        TestSystem.Account account = system.signUp("Mcp Limits Ltd");
        ApiClient.Response created = api.postJson("/v1/api-keys", account.accessToken(), Json.object(
                "name", "slow agent", "scopes", List.of("read", "search"), "requestsPerMinute", 2, "requestsPerDay", 2));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Map<String, String> slowAgent = withMcpHeaders(ApiClient.bearer(created.json().get("apiKey").asText()));
        assertThat(api.send("POST", "/mcp", slowAgent, INITIALIZE).status()).isEqualTo(200);
        assertThat(api.send("POST", "/mcp", slowAgent, INITIALIZE).header("RateLimit-Remaining")).contains("0");
        ApiClient.Response limited = api.send("POST", "/mcp", slowAgent, INITIALIZE);
        TestSystem.assertProblem(limited, 429);
        assertThat(limited.header("Retry-After")).isPresent();

        Map<String, String> user = withMcpHeaders(ApiClient.bearer(account.accessToken()));
        TestSystem.assertProblem(api.outsideContract().send("GET", "/mcp", user, null), 405);
        TestSystem.assertProblem(api.send("POST", "/mcp", user, "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": "
                + "\"ping\", \"params\": {\"padding\": \"" + "x".repeat(1_100_000) + "\"}}"), 413);
        TestSystem.assertProblem(api.outsideContract().postRaw("/mcp", account.accessToken(), "text/plain",
                "ping".getBytes(StandardCharsets.UTF_8)), 415);
    }

    @Test
    void everyRequestIsMeteredAsAnApiCallAndEveryAnsweredSearchAsASearchQuery() {
        String key = system.registerCustomer("Mcp Metered Ltd");
        McpSyncClient mcp = client(key);

        assertThat(call(mcp, "search", Map.of("query", "tides")).isError()).isFalse();
        assertThat(call(mcp, "search", Map.of("query", "moon", "mode", "keyword")).isError()).isFalse();
        assertRefused(call(mcp, "search", Map.of("query", "tides", "topK", 0)), "", "topK");
        assertRefused(call(mcp, "search", Map.of("query", "tides", "asOf", "never")), "400", "'asOf'");

        String range = "from=" + LocalDate.now(ZoneOffset.UTC).minusDays(1) + "&to=" + LocalDate.now(ZoneOffset.UTC);
        await().atMost(TestSystem.INDEXING_TIMEOUT).until(() -> api.get("/v1/usage?" + range, key).json().get("total"),
                // initialize, its notification and four tool calls; only the two answered searches are queries
                total -> total.get("searchQueries").asLong() == 2 && total.get("apiCalls").asLong() >= 6);
    }

    @Test
    void aDocumentAddedByAToolIsAuditedWithTheKeyAsActorAndTheRequestsCorrelationId() {
        String user = system.signUp("Mcp Audited Ltd").accessToken();
        TestSystem.IssuedKey ingest = system.createApiKey(user, "ingest");
        String correlationId = "mcp-add." + UUID.randomUUID();
        McpSyncClient mcp = client(ingest.secret(), Map.of("X-Correlation-Id", correlationId));

        String documentId = (String) success(mcp, "add_text_document", Map.of("title", "Audited tides", "text", TIDES))
                .get("documentId");

        ApiClient.Response audit = api.get("/v1/audit/events?documentId=" + documentId, user);
        assertThat(audit.status()).as(audit.body()).isEqualTo(200);
        JsonNode uploaded = audit.json().get("events").get(0);
        assertThat(uploaded.get("type").asText()).isEqualTo("DocumentVersionUploaded");
        assertThat(uploaded.get("actor").asText()).isEqualTo("apiKey:" + ingest.keyId());
        assertThat(uploaded.get("correlationId").asText()).isEqualTo(correlationId);
    }

    @Test
    void everyToolCallIsKeptWithItsActorCorrelationIdAndOutcomeButNotWhatWasAskedOrRead() {
        TestSystem.Account account = system.signUp("Mcp Logged Ltd");
        TestSystem.IssuedKey agent = system.createApiKey(account.accessToken(), "read", "ingest");
        String correlationId = "mcp-log." + UUID.randomUUID();
        McpSyncClient mcp = client(agent.secret(), Map.of("X-Correlation-Id", correlationId));
        String unknown = UUID.randomUUID().toString();

        String documentId = (String) success(mcp, "add_text_document", Map.of("title", "Logged tides", "text", TIDES))
                .get("documentId");
        success(mcp, "get_document", Map.of("documentId", documentId));
        assertRefused(call(mcp, "get_document", Map.of("documentId", unknown)), "404", "no document");
        assertRefused(call(mcp, "search", Map.of("query", "secret plans of the harbour master")), "403", "'search' scope");
        assertRefused(call(mcp, "read_document", Map.of("documentId", documentId, "limit", 0)), "", "limit");

        JsonNode calls = toolCalls("/v1/audit/tool-calls", account.accessToken());
        assertThat(calls).hasSize(5).allSatisfy(call -> {
            assertThat(call.get("customerId").asText()).isEqualTo(account.customerId());
            assertThat(call.get("actor").asText()).isEqualTo("apiKey:" + agent.keyId());
            assertThat(call.get("correlationId").asText()).isEqualTo(correlationId);
            assertThat(call.get("time").asText()).isNotBlank();
        });
        assertThat(summaries(calls)).containsExactly(
                "add_text_document ok 200 null [" + documentId + "]",
                "get_document ok 200 null [" + documentId + "]",
                "get_document refused 404 not_found [" + unknown + "]",
                "search refused 403 forbidden []",
                "read_document refused 400 invalid_arguments [" + documentId + "]");
        assertThat(calls.toString()).as("neither the query nor the text is kept")
                .doesNotContain("harbour master").doesNotContain("Logged tides").doesNotContain("moon pulls");

        JsonNode added = api.get("/v1/audit/events?documentId=" + documentId, account.accessToken()).json()
                .get("events").get(0);
        assertThat(added.get("correlationId").asText()).as("the add's event and its call share the request")
                .isEqualTo(correlationId);
        assertThat(summaries(toolCalls("/v1/audit/tool-calls?tool=get_document&limit=1", account.accessToken())))
                .containsExactly("get_document ok 200 null [" + documentId + "]");
        assertThat(toolCalls("/v1/admin/audit/tool-calls?customerId=" + account.customerId(),
                system.adminAccessToken())).isEqualTo(calls);

        String stranger = system.registerCustomer("Mcp Log Stranger Ltd");
        assertThat(call(client(stranger), "list_documents", Map.of()).isError()).isFalse();
        assertThat(summaries(toolCalls("/v1/audit/tool-calls", stranger))).as("another tenant sees only its own calls")
                .containsExactly("list_documents ok 200 null []");
        assertThat(toolCalls("/v1/audit/tool-calls", system.createApiKey(account.accessToken(), "read").secret()))
                .isEqualTo(calls);
        TestSystem.assertProblem(api.get("/v1/audit/tool-calls", system.createApiKey(account.accessToken(), "search")
                .secret()), 403);
    }

    @Test
    void theToolCallListRefusesBadParametersNamingThem() {
        String key = system.registerCustomer("Mcp Log Mistakes Ltd");
        for (String query : List.of("from=yesterday", "to=2026-13-01T00:00:00Z",
                "from=2026-11-27T00:00:00Z&to=2026-11-26T00:00:00Z", "limit=0", "limit=1001", "limit=many",
                "cursor=garbage", "tool=drop_table", "tool=SEARCH")) {
            ApiClient.Response refused = api.outsideContract().get("/v1/audit/tool-calls?" + query, key);
            TestSystem.assertProblem(refused, 400);
            assertThat(refused.json().get("detail").asText()).as(query)
                    .containsAnyOf("'from'", "'to'", "'limit'", "'cursor'", "'tool'");
        }
        TestSystem.assertProblem(api.outsideContract().get("/v1/admin/audit/tool-calls?limit=0", system.adminAccessToken()), 400);
        TestSystem.assertProblem(api.outsideContract().get("/v1/admin/audit/tool-calls?customerId=" + UUID.randomUUID(),
                system.adminAccessToken()), 404);
        TestSystem.assertProblem(api.outsideContract().get("/v1/admin/audit/tool-calls", key), 403);
        assertThat(toolCalls("/v1/audit/tool-calls", key)).isEmpty();
    }

    @Test
    void aDeletedCustomersToolCallsGoWithIt() {
        String[] customer = system.registerCustomerWithId("Mcp Log Leaving Ltd");
        String customerId = customer[0];
        assertThat(call(client(customer[1]), "list_documents", Map.of()).isError()).isFalse();
        String stays = system.registerCustomer("Mcp Log Staying Ltd");
        assertThat(call(client(stays), "list_documents", Map.of()).isError()).isFalse();
        assertThat(toolCalls("/v1/audit/tool-calls", customer[1])).hasSize(1);

        ApiClient.Response deleted = api.delete("/v1/admin/customers/" + customerId, system.adminAccessToken());
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);

        assertThat(system.database().count("SELECT count(*) FROM command.mcp_tool_call WHERE customer_id = ?",
                customerId)).isZero();
        assertThat(toolCalls("/v1/admin/audit/tool-calls?customerId=" + customerId, system.adminAccessToken()))
                .isEmpty();
        assertThat(toolCalls("/v1/audit/tool-calls", stays)).as("another customer's calls stay").hasSize(1);
    }

    @Test
    void eachToolNeedsTheScopeOfItsRestRoute() {
        String user = system.signUp("Mcp Scopes Ltd").accessToken();
        String documentId = system.uploadDocument(user, "tides.md", TIDES);
        McpSyncClient reader = client(system.createApiKey(user, "read").secret());
        McpSyncClient searcher = client(system.createApiKey(user, "search").secret());
        McpSyncClient ingester = client(system.createApiKey(user, "ingest").secret());
        McpSyncClient signedIn = client(user);

        assertRefused(call(reader, "search", Map.of("query", "tides")), "403", "'search' scope");
        assertRefused(call(reader, "add_text_document", Map.of("title", "T", "text", "t")), "403", "'ingest' scope");
        assertRefused(call(reader, "add_document_from_url", Map.of("url", "https://example.com/")), "403",
                "'ingest' scope");
        assertThat(call(reader, "get_document", Map.of("documentId", documentId)).isError()).isFalse();
        assertThat(call(reader, "document_status", Map.of("documentId", documentId)).isError()).isFalse();
        assertThat(call(reader, "list_documents", Map.of()).isError()).isFalse();
        for (String tool : List.of("get_document", "document_status", "read_document")) {
            assertRefused(call(searcher, tool, Map.of("documentId", documentId)), "403", "'read' scope");
            assertRefused(call(ingester, tool, Map.of("documentId", documentId)), "403", "'read' scope");
        }
        assertRefused(call(searcher, "list_documents", Map.of()), "403", "'read' scope");
        assertThat(call(searcher, "search", Map.of("query", "tides")).isError()).isFalse();
        assertThat(call(signedIn, "list_documents", Map.of()).isError()).as("a signed-in user may do everything")
                .isFalse();
    }

    @Test
    void anotherTenantsDocumentsAreNotFound() {
        String owner = system.registerCustomer("Mcp Owner Ltd");
        String documentId = system.uploadDocument(owner, "tides.md", TIDES);
        McpSyncClient stranger = client(system.registerCustomer("Mcp Stranger Ltd"));

        for (String tool : List.of("get_document", "document_status", "read_document")) {
            assertRefused(call(stranger, tool, Map.of("documentId", documentId)), "404", "no document " + documentId);
        }
        assertRefused(call(stranger, "search", Map.of("query", "tides", "documentId", documentId)), "404",
                "no document " + documentId);
        assertThat(list(structured(call(stranger, "list_documents", Map.of())).get("documents"))).isEmpty();
        assertThat(list(structured(call(stranger, "search", Map.of("query", "tides", "documentIds",
                List.of(documentId)))).get("results"))).isEmpty();
    }

    @Test
    void malformedArgumentsAreRefusedNamingTheArgumentAndChangeNothing() {
        String key = system.registerCustomer("Mcp Mistakes Ltd");
        McpSyncClient mcp = client(key);

        assertRefused(call(mcp, "search", Map.of("topK", 5)), "", "query");
        assertRefused(call(mcp, "search", Map.of("query", "tides", "topK", "many")), "", "topK");
        assertRefused(call(mcp, "search", Map.of("query", "tides", "topK", 500)), "", "topK");
        assertRefused(call(mcp, "search", Map.of("query", "tides", "colour", "red")), "", "colour");
        assertRefused(call(mcp, "search", Map.of("query", "   ")), "400", "'query'");
        assertRefused(call(mcp, "search", Map.of("query", "tides", "asOf", "yesterday")), "400", "'asOf'");
        assertRefused(call(mcp, "search", Map.of("query", "tides", "version", 2)), "400", "'version' needs 'documentId'");
        assertRefused(call(mcp, "search", Map.of("query", "tides", "filter", Map.of("metadata.team", Map.of("$near", 1)))),
                "400", "filter");
        assertRefused(call(mcp, "list_documents", Map.of("sort", "size")), "", "sort");
        assertRefused(call(mcp, "list_documents", Map.of("createdAfter", "last week")), "400", "'createdAfter'");
        assertRefused(call(mcp, "list_documents", Map.of("cursor", "nonsense")), "400", "'cursor'");
        assertRefused(call(mcp, "read_document", Map.of("documentId", "not-an-id")), "404", "no document not-an-id");
        assertRefused(call(mcp, "add_text_document", Map.of("title", "No text")), "", "text");
        assertRefused(call(mcp, "add_text_document", Map.of("title", "Blank", "text", "  ")), "400", "'text'");
        assertRefused(call(mcp, "add_text_document", Map.of("title", "Bad metadata", "text", TIDES,
                "metadata", Map.of("team", Map.of("nested", true)))), "400", "metadata.team");
        assertRefused(call(mcp, "add_document_from_url", Map.of("url", "ftp://example.com/tides.md")), "400",
                "only http and https URLs");

        assertThat(list(structured(call(mcp, "list_documents", Map.of())).get("documents")))
                .as("no refused call added a document").isEmpty();
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyAddsNothingAndAnswersTheFirstCallsDocument() throws IOException {
        String key = system.registerCustomer("Mcp Retries Ltd");
        McpSyncClient mcp = client(key);
        String textKey = UUID.randomUUID().toString();
        Map<String, Object> arguments = Map.of("title", "Retried tides", "text", TIDES, "format", "markdown",
                "metadata", Map.of("team", "oceans", "year", 2026), "idempotencyKey", textKey);

        Map<String, Object> first = success(mcp, "add_text_document", arguments);
        assertThat(first).containsEntry("version", 1).containsEntry("status", "PENDING");
        // A retry after a timeout comes on a new connection, its arguments perhaps written in another order.
        Map<String, Object> reordered = new LinkedHashMap<>();
        List.of("idempotencyKey", "metadata", "format", "text", "title").forEach(name -> reordered.put(name,
                name.equals("metadata") ? new LinkedHashMap<>(Map.of("year", 2026, "team", "oceans")) : arguments.get(name)));
        McpSchema.CallToolResult retried = call(client(key), "add_text_document", reordered);
        assertThat(retried.isError()).as(text(retried)).isFalse();
        assertThat(structured(retried)).isEqualTo(first);
        assertThat(text(retried)).contains("Added document " + first.get("documentId") + " (version 1");

        assertRefused(call(mcp, "add_text_document", Map.of("title", "Retried tides", "text", TIDES + "More.",
                "format", "markdown", "metadata", Map.of("team", "oceans", "year", 2026), "idempotencyKey", textKey)),
                "422", "'idempotencyKey' was already used for a different request");
        assertRefused(call(mcp, "add_document_from_url", Map.of("url", "https://example.com/tides.md",
                "idempotencyKey", textKey)), "422", "'idempotencyKey' was already used");
        assertRefused(call(mcp, "add_text_document", Map.of("title", "Spaced key", "text", TIDES,
                "idempotencyKey", "two words")), "400", "'idempotencyKey' must be 1 to 255 printable ASCII");

        AtomicInteger fetches = new AtomicInteger();
        HttpServer pages = tidesPage(fetches);
        try {
            Map<String, Object> fromUrl = Map.of("url", tidesUrl(pages), "idempotencyKey", UUID.randomUUID().toString());
            Map<String, Object> fetched = success(mcp, "add_document_from_url", fromUrl);
            assertThat(success(client(key), "add_document_from_url", fromUrl)).isEqualTo(fetched);
            assertThat(fetches).as("the retry fetched nothing").hasValue(1);
            assertListed(mcp, first.get("documentId"), fetched.get("documentId"));
        } finally {
            pages.stop(0);
        }
    }

    @Test
    void withoutAKeyEachCallAddsADocumentAndAKeyIsTheCustomersOwn() {
        String owner = system.registerCustomer("Mcp Keyless Ltd");
        McpSyncClient mcp = client(owner);
        Map<String, Object> arguments = Map.of("title", "Tides", "text", TIDES);
        Object once = success(mcp, "add_text_document", arguments).get("documentId");
        Object twice = success(mcp, "add_text_document", arguments).get("documentId");
        assertThat(twice).isNotEqualTo(once);
        assertListed(mcp, once, twice);

        String sharedKey = "order-" + UUID.randomUUID();
        Map<String, Object> keyed = Map.of("title", "Tides", "text", TIDES, "idempotencyKey", sharedKey);
        Object owners = success(mcp, "add_text_document", keyed).get("documentId");
        McpSyncClient stranger = client(system.registerCustomer("Mcp Same Key Ltd"));
        Object strangers = success(stranger, "add_text_document", keyed).get("documentId");
        assertThat(strangers).as("another customer's key is not this one's").isNotEqualTo(owners);
        assertListed(stranger, strangers);
        assertListed(mcp, once, twice, owners);

        // Tool calls and REST requests share the customer's keys; what a key was used for tells them apart.
        Map<String, String> rest = new HashMap<>(ApiClient.bearer(owner));
        rest.put("Idempotency-Key", sharedKey);
        TestSystem.assertProblem(api.send("POST", "/v1/documents", rest, "{\"url\": \"https://example.com/\"}"), 422);
        assertListed(mcp, once, twice, owners);
    }

    /** The tool calls a listing answers, which must be 200. */
    private JsonNode toolCalls(String pathAndQuery, String credential) {
        ApiClient.Response listed = api.get(pathAndQuery, credential);
        assertThat(listed.status()).as(listed.body()).isEqualTo(200);
        return listed.json().get("toolCalls");
    }

    /** Each call as "tool outcome status reason [documentIds]". */
    private static List<String> summaries(JsonNode calls) {
        List<String> summaries = new ArrayList<>();
        calls.forEach(call -> {
            List<String> documentIds = new ArrayList<>();
            call.get("documentIds").forEach(id -> documentIds.add(id.asText()));
            summaries.add(call.get("tool").asText() + " " + call.get("outcome").asText() + " "
                    + call.get("status").asInt() + " " + call.path("reason").asText(null) + " " + documentIds);
        });
        return summaries;
    }

    private McpSyncClient client(String credential) {
        return client(credential, Map.of());
    }

    /** A client of the SDK that sends {@code credential} and these headers with every request. */
    private McpSyncClient client(String credential, Map<String, String> headers) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
                .builder(api.baseUrl())
                .endpoint("/mcp")
                .httpRequestCustomizer((request, method, uri, body, context) -> {
                    request.header("Authorization", "Bearer " + credential);
                    headers.forEach(request::header);
                })
                .build();
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).build();
        clients.add(client);
        return client;
    }

    /**
     * The customer's documents are these and no others, once the listing (a read model) has caught up: a duplicate
     * would be listed no later than the documents added after it.
     */
    private static void assertListed(McpSyncClient client, Object... documentIds) {
        await().atMost(TestSystem.INDEXING_TIMEOUT).untilAsserted(() -> assertThat(list(success(client,
                "list_documents", Map.of("limit", 100)).get("documents"))).extracting(document -> document.get("documentId"))
                .containsExactlyInAnyOrder(documentIds));
    }

    /** A web server with one page, the tides in markdown, counting its fetches. */
    private static HttpServer tidesPage(AtomicInteger fetches) throws IOException {
        HttpServer pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pages.createContext("/tides.md", exchange -> {
            fetches.incrementAndGet();
            byte[] body = TIDES.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/markdown");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        pages.start();
        return pages;
    }

    private static String tidesUrl(HttpServer pages) {
        return "http://127.0.0.1:" + pages.getAddress().getPort() + "/tides.md";
    }

    private static Map<String, String> withMcpHeaders(Map<String, String> credentials) {
        Map<String, String> headers = new HashMap<>(credentials);
        headers.put("Accept", "application/json, text/event-stream");
        return headers;
    }

    private static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> arguments) {
        if (!client.isInitialized()) {
            client.initialize();
        }
        return client.callTool(new McpSchema.CallToolRequest(tool, arguments));
    }

    private static Map<String, Object> success(McpSyncClient client, String tool, Map<String, Object> arguments) {
        McpSchema.CallToolResult result = call(client, tool, arguments);
        assertThat(result.isError()).as(text(result)).isFalse();
        return structured(result);
    }

    /** A refusal as a tool result: its text names the status (when the API answered it) and the offending part. */
    private static void assertRefused(McpSchema.CallToolResult result, String status, String naming) {
        assertThat(result.isError()).as(text(result)).isTrue();
        assertThat(text(result)).startsWith(status).contains(naming).doesNotContain("Exception")
                .doesNotContain("io.dynrag");
    }

    private static Map<String, Object> structured(McpSchema.CallToolResult result) {
        return map(result.structuredContent());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return (List<Map<String, Object>>) value;
    }

    private static String text(McpSchema.CallToolResult result) {
        return result.content().stream().filter(McpSchema.TextContent.class::isInstance)
                .map(content -> ((McpSchema.TextContent) content).text()).reduce("", String::concat);
    }
}
