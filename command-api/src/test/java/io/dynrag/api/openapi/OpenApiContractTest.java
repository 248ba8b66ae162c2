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
    /**
     * What makes a schema say what it holds (see {@link #everySchemaSaysWhatItHolds()}); an if/then narrows the
     * schema it is part of (AuditEvent's payload by the event's type).
     */
    private static final List<String> SCHEMA_KINDS = List.of("type", "$ref", "const", "enum", "oneOf", "anyOf",
            "allOf", "if");
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

    /**
     * No schema leaves open what it holds: each names a type, a constant or choices, or refers to another schema. An
     * untyped schema accepts anything, so the end-to-end tests could not notice a request or an answer changing
     * there; a generated client would hand its callers an untyped value.
     */
    @Test
    void everySchemaSaysWhatItHolds() {
        List<String> untyped = new ArrayList<>();
        untypedSchemas(spec.path("paths"), "#/paths", false, untyped);
        untypedSchemas(spec.path("components").path("responses"), "#/components/responses", false, untyped);
        spec.path("components").path("schemas").properties().forEach(schema ->
                untypedSchemas(schema.getValue(), "#/components/schemas/" + schema.getKey(), true, untyped));

        assertThat(untyped).as("schemas with no type, $ref, const, enum, oneOf, anyOf, allOf or if").isEmpty();
    }

    /** Collects the untyped schemas at {@code at}, a schema itself or a part of the document that holds some. */
    private static void untypedSchemas(JsonNode node, String at, boolean isSchema, List<String> untyped) {
        if (!node.isObject()) {
            return;
        }
        if (!isSchema) {
            node.properties().forEach(field -> untypedSchemas(field.getValue(), at + "/" + field.getKey(),
                    field.getKey().equals("schema"), untyped));
            return;
        }
        if (SCHEMA_KINDS.stream().noneMatch(node::has)) {
            untyped.add(at);
        }
        for (String map : List.of("properties", "patternProperties", "$defs")) {
            node.path(map).properties().forEach(field ->
                    untypedSchemas(field.getValue(), at + "/" + map + "/" + field.getKey(), true, untyped));
        }
        for (String one : List.of("items", "additionalProperties", "not", "contains", "propertyNames")) {
            untypedSchemas(node.path(one), at + "/" + one, true, untyped);
        }
        for (String list : List.of("oneOf", "anyOf", "allOf", "prefixItems")) {
            for (int i = 0; i < node.path(list).size(); i++) {
                untypedSchemas(node.path(list).get(i), at + "/" + list + "/" + i, true, untyped);
            }
        }
        for (String conditional : List.of("if", "then", "else")) {
            node.path(conditional).path("properties").properties().forEach(field -> untypedSchemas(field.getValue(),
                    at + "/" + conditional + "/properties/" + field.getKey(), true, untyped));
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
