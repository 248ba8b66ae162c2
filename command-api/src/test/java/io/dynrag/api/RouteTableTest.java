package io.dynrag.api;

import io.dynrag.api.document.DocumentChunks;
import io.dynrag.api.document.DocumentListing;
import io.dynrag.api.document.DocumentLookup;
import io.dynrag.api.document.batch.BatchLimits;
import io.dynrag.api.document.progress.DocumentStreams;
import io.dynrag.api.document.url.FetchBounds;
import io.dynrag.api.document.url.UrlFetchSettings;
import io.dynrag.api.search.ChunkSearch;
import io.dynrag.api.usage.UsageReports;
import io.dynrag.domain.billing.EmbeddingPrices;
import io.dynrag.domain.customer.CustomerCeilings;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.identity.tokens.TokenSettings;
import io.dynrag.platform.crypto.KeyEncryptionKeys;
import io.dynrag.platform.http.CorsPolicy;
import io.dynrag.platform.http.TrustedProxies;
import io.dynrag.platform.outbound.AddressAllowlist;
import io.dynrag.platform.testing.TestDatabase;
import io.dynrag.webhooks.WebhookSettings;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The route table of {@code docs/api.md} names exactly the routes the API registers: a new route must be
 * documented, and a documented route must exist. The API is built as the {@code api} role builds it, on the test
 * database, but not started: its routes are known once it is built, so no Kafka, S3 or HTTP port is needed.
 */
class RouteTableTest {

    /** The header row that opens the route table. */
    private static final String TABLE_HEADER = "| Method and path |";
    /** A route in the first column, in backticks; a query string after the path is not part of the route. */
    private static final Pattern DOCUMENTED_ROUTE =
            Pattern.compile("`(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (/[^`?\\s]*)[^`]*`");
    /** Nothing listens on the discard port: the clients built here are never used. */
    private static final String UNUSED_ADDRESS = "127.0.0.1:9";

    @Test
    void theRouteTableOfTheApiDocumentationNamesEveryRegisteredRouteAndNoOther() throws IOException {
        Path apiDocs = apiDocumentation();
        TreeSet<String> documented = documentedRoutes(apiDocs);
        TreeSet<String> registered;
        try (S3Client s3 = unusedS3(); CommandApi api = new CommandApi(settings(), TestDatabase.get().dataSource(), s3,
                notUsed(DocumentLookup.class), notUsed(DocumentListing.class), notUsed(DocumentChunks.class),
                notUsed(ChunkSearch.class), notUsed(UsageReports.class), Map.of())) {
            registered = new TreeSet<>(api.httpRoutes());
        }

        assertThat(registered).as("routes registered by the API").isNotEmpty();
        TreeSet<String> undocumented = new TreeSet<>(registered);
        undocumented.removeAll(documented);
        TreeSet<String> unregistered = new TreeSet<>(documented);
        unregistered.removeAll(registered);
        if (!undocumented.isEmpty() || !unregistered.isEmpty()) {
            fail(difference(apiDocs, undocumented, unregistered));
        }
    }

    @Test
    void readsTheRoutesOfTheTablesFirstColumnWithoutTheirQueryStrings() {
        List<String> rows = List.of(
                TABLE_HEADER + " Who | Body | Success |",
                "|---|---|---|---|",
                "| `GET /v1/usage?from=&to=&granularity=day\\|month` | user | `Accept: text/csv` | `200` |",
                "| `POST /v1/documents`, `POST /v1/documents/{documentId}/versions` with `application/json` | user | | |",
                "| `DELETE /v1/customer/provider-key?provider=openai` | user | `GET /not/a/route` | `204` |",
                "",
                "| `PUT /after/the/table` | | | |");

        assertThat(routesOfTable(rows)).containsExactly("DELETE /v1/customer/provider-key",
                "GET /v1/usage", "POST /v1/documents", "POST /v1/documents/{documentId}/versions");
    }

    private static String difference(Path apiDocs, TreeSet<String> undocumented, TreeSet<String> unregistered) {
        StringBuilder message = new StringBuilder("The route table of " + apiDocs.normalize()
                + " (the table under '## Routes', one row per route: `METHOD /path` in backticks in the first column,"
                + " path parameters as {name} exactly as registered) differs from the routes the API registers.");
        if (!undocumented.isEmpty()) {
            message.append("\nRegistered but missing from the table (add a row):");
            undocumented.forEach(route -> message.append("\n  ").append(route));
        }
        if (!unregistered.isEmpty()) {
            message.append("\nIn the table but not registered (remove the row, or correct its method or path):");
            unregistered.forEach(route -> message.append("\n  ").append(route));
        }
        return message.toString();
    }

    /** {@code docs/api.md} of this checkout, found from the module's directory (where Maven runs the tests). */
    private static Path apiDocumentation() {
        for (Path directory = Path.of("").toAbsolutePath(); directory != null; directory = directory.getParent()) {
            Path candidate = directory.resolve("docs").resolve("api.md");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no docs/api.md above " + Path.of("").toAbsolutePath());
    }

    private static TreeSet<String> documentedRoutes(Path apiDocs) throws IOException {
        TreeSet<String> routes = routesOfTable(Files.readAllLines(apiDocs, StandardCharsets.UTF_8));
        assertThat(routes).as("routes in the table under '%s' of %s", TABLE_HEADER, apiDocs).isNotEmpty();
        return routes;
    }

    /** The routes named in the first column of the table that starts with {@link #TABLE_HEADER}. */
    private static TreeSet<String> routesOfTable(List<String> lines) {
        TreeSet<String> routes = new TreeSet<>();
        boolean inTable = false;
        for (String line : lines) {
            if (line.startsWith(TABLE_HEADER)) {
                inTable = true;
            } else if (inTable && !line.startsWith("|")) {
                break;
            } else if (inTable) {
                Matcher route = DOCUMENTED_ROUTE.matcher(firstCell(line));
                while (route.find()) {
                    routes.add(route.group(1) + " " + route.group(2));
                }
            }
        }
        return routes;
    }

    /** The first cell of a Markdown table row; {@code \|} inside a cell is not a cell boundary. */
    private static String firstCell(String row) {
        return row.substring(1).split("(?<!\\\\)\\|")[0];
    }

    private static CommandApiSettings settings() {
        long maxUploadBytes = 1_000_000;
        return new CommandApiSettings("127.0.0.1", 0, TrustedProxies.NONE, CorsPolicy.NONE, "operator-token",
                maxUploadBytes,
                "documents", UNUSED_ADDRESS, "route-table-test", KeyEncryptionKeys.generate("test"),
                TokenSettings.withDefaultLifetimes("dynrag", "dynrag-api"),
                new CustomerConfiguration(600, 100_000, 100, maxUploadBytes,
                        CustomerConfiguration.SUPPORTED_CONTENT_TYPES, 200, 0, CustomerConfiguration.LOCAL_MODEL, null,
                        CustomerConfiguration.DEFAULT_BUDGET_ALERT_PERCENT, null),
                new CustomerCeilings(600, 100_000, 100, maxUploadBytes), new EmbeddingPrices(Map.of(CustomerConfiguration.LOCAL_MODEL, BigDecimal.ZERO)),
                null, null,
                new UrlFetchSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), 1, AddressAllowlist.NONE),
                new FetchBounds(1, 1, maxUploadBytes, maxUploadBytes, Duration.ZERO),
                new BatchLimits(10, maxUploadBytes), WebhookSettings.DEFAULTS, Duration.ofSeconds(60),
                new DocumentStreams.Limits(1, 1));
    }

    private static S3Client unusedS3() {
        return S3Client.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(URI.create("http://" + UNUSED_ADDRESS))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("unused", "unused")))
                .build();
    }

    /** A port the API only calls while answering requests, which this test never sends. */
    private static <T> T notUsed(Class<T> port) {
        return port.cast(Proxy.newProxyInstance(port.getClassLoader(), new Class<?>[]{port}, (proxy, method, args) -> {
            throw new UnsupportedOperationException(port.getSimpleName() + " is not used to list routes");
        }));
    }
}
