package io.dynrag.api.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.dynrag.api.RegisteredRoutes;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docs/openapi.json}, as the API serves it, is a valid OpenAPI 3.1 document of exactly the routes the API
 * registers: a route added without its operation, or an operation left after its route went, fails the build.
 */
class OpenApiContractTest {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");
    /** Where the schemas are resolved from; a name only, nothing is fetched. */
    private static final String SPEC_IRI = "https://dynrag.io/openapi.json";

    private final String document = new String(OpenApiEndpoints.document(), StandardCharsets.UTF_8);
    private final JsonNode spec;

    OpenApiContractTest() throws IOException {
        spec = new ObjectMapper().readTree(document);
    }

    @Test
    void everyRegisteredRouteIsAnOperationAndEveryOperationIsARegisteredRoute() {
        TreeSet<String> registered = RegisteredRoutes.ofTheApi();
        TreeSet<String> specified = operations();

        TreeSet<String> missing = new TreeSet<>(registered);
        missing.removeAll(specified);
        TreeSet<String> extra = new TreeSet<>(specified);
        extra.removeAll(registered);
        assertThat(missing).as("routes the API registers that docs/openapi.json lacks (add an operation)").isEmpty();
        assertThat(extra).as("operations of docs/openapi.json the API does not register (remove them)").isEmpty();
    }

    @Test
    void isAValidOpenApi31Document() {
        SwaggerParseResult parsed = new OpenAPIParser().readContents(document, null, null);

        assertThat(parsed.getMessages()).as("what the OpenAPI parser found wrong").isEmpty();
        assertThat(parsed.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
    }

    @Test
    void everyOperationIsNamedAndAnswersProblemsAsProblemJson() {
        List<String> operationIds = new ArrayList<>();
        forEachOperation((route, operation) -> {
            operationIds.add(operation.path("operationId").asText(""));
            assertThat(operation.path("responses").path("4XX").path("$ref").asText(""))
                    .as("%s: 4XX answers", route).isEqualTo("#/components/responses/Problem");
            assertThat(operation.path("responses").path("5XX").path("$ref").asText(""))
                    .as("%s: 5XX answers", route).isEqualTo("#/components/responses/Problem");
        });
        assertThat(operationIds).doesNotContain("").doesNotHaveDuplicates();
        assertThat(spec.at("/components/responses/Problem/content/application~1problem+json/schema/$ref")
                .asText("")).isEqualTo("#/components/schemas/Problem");
    }

    /** Each schema loads, its references resolved: the validators of the end-to-end tests rely on it. */
    @Test
    void everyComponentSchemaLoadsWithItsReferencesResolved() {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(),
                builder -> builder.schemas(Map.of(SPEC_IRI, document)));
        List<String> names = new ArrayList<>();
        spec.path("components").path("schemas").fieldNames().forEachRemaining(names::add);

        assertThat(names).isNotEmpty();
        for (String name : names) {
            Schema schema = registry.getSchema(SchemaLocation.of(SPEC_IRI + "#/components/schemas/" + name));
            schema.initializeValidators();
        }
    }

    private TreeSet<String> operations() {
        TreeSet<String> routes = new TreeSet<>();
        forEachOperation((route, operation) -> routes.add(route));
        return routes;
    }

    private void forEachOperation(BiConsumer<String, JsonNode> action) {
        for (Map.Entry<String, JsonNode> path : spec.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
                if (METHODS.contains(operation.getKey())) {
                    action.accept(operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(),
                            operation.getValue());
                }
            }
        }
    }
}
