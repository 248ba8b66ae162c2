package io.dynrag.api;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The route table of {@code docs/api.md} names exactly the routes the API registers (see {@link RegisteredRoutes}):
 * a new route must be documented, and a documented route must exist. {@code OpenApiContractTest} holds
 * {@code docs/openapi.json} to the same routes, so the table and the contract cannot drift apart.
 */
class RouteTableTest {

    /** The header row that opens the route table. */
    private static final String TABLE_HEADER = "| Method and path |";
    /** A route in the first column, in backticks; a query string after the path is not part of the route. */
    private static final Pattern DOCUMENTED_ROUTE =
            Pattern.compile("`(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (/[^`?\\s]*)[^`]*`");

    @Test
    void theRouteTableOfTheApiDocumentationNamesEveryRegisteredRouteAndNoOther() throws IOException {
        Path apiDocs = apiDocumentation();
        TreeSet<String> documented = documentedRoutes(apiDocs);
        TreeSet<String> registered = RegisteredRoutes.ofTheApi();

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
}
