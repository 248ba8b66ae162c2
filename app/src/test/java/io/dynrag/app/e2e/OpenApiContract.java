package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@code docs/openapi.json}, as the API packages it, held against real answers: every answer {@link ApiClient}
 * receives for a specified operation must have a declared status and content type, and its JSON body must match
 * the declared schema. The main resources' schemas forbid undeclared fields, so a field added to an answer
 * without the contract fails the end-to-end tests. Routes the contract does not name (a probe of an unknown path)
 * are not checked here: {@code OpenApiContractTest} holds the contract to the registered routes.
 */
final class OpenApiContract {

    /** Where the API's build puts {@code docs/openapi.json} on the class path. */
    private static final String RESOURCE = "io/dynrag/api/openapi/openapi.json";
    /** The name the schemas are resolved under; nothing is fetched. */
    private static final String SPEC_IRI = "https://dynrag.io/openapi.json";
    private static final OpenApiContract INSTANCE = new OpenApiContract();

    private final JsonNode spec;
    private final SchemaRegistry registry;
    private final List<Operation> operations = new ArrayList<>();
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private record Operation(String method, String template, Pattern path, JsonNode node) {
    }

    private OpenApiContract() {
        String document = read();
        try {
            spec = new ObjectMapper().readTree(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(),
                builder -> builder.schemas(Map.of(SPEC_IRI, document)));
        spec.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation ->
                operations.add(new Operation(operation.getKey().toUpperCase(Locale.ROOT), path.getKey(),
                        Pattern.compile(path.getKey().replaceAll("\\{[^/}]+}", "[^/]+")), operation.getValue()))));
        // A literal segment wins over a parameter: /v1/documents/batch is not a document id.
        operations.sort(Comparator.comparingInt(operation -> operation.template().split("\\{", -1).length));
    }

    static OpenApiContract get() {
        return INSTANCE;
    }

    /** Throws an {@link AssertionError} naming the operation when the answer breaks the contract. */
    void check(String method, String pathAndQuery, ApiClient.Response response) {
        String path = pathAndQuery.replaceFirst("[?#].*", "");
        Optional<Operation> found = operations.stream()
                .filter(operation -> operation.method().equals(method) && operation.path().matcher(path).matches())
                .findFirst();
        if (found.isEmpty()) {
            return;
        }
        Operation operation = found.get();
        String name = method + " " + operation.template() + " (" + pathAndQuery + ") answered " + response.status();
        String pointer = "/paths/" + escape(operation.template()) + "/" + method.toLowerCase(Locale.ROOT)
                + "/responses/";
        JsonNode responses = operation.node().path("responses");
        String status = String.valueOf(response.status());
        String range = status.charAt(0) + "XX";
        String key = responses.has(status) ? status : responses.has(range) ? range
                : responses.has("default") ? "default" : null;
        if (key == null) {
            throw new AssertionError(name + ", a status docs/openapi.json does not declare: " + excerpt(response));
        }
        pointer += escape(key);
        JsonNode declared = responses.path(key);
        if (declared.has("$ref")) {
            pointer = declared.path("$ref").asText().substring(1);
            declared = spec.at(pointer);
        }
        JsonNode content = declared.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            if (!response.body().isEmpty()) {
                throw new AssertionError(name + " with a body docs/openapi.json does not declare: "
                        + excerpt(response));
            }
            return;
        }
        String mediaType = response.contentType().replaceFirst(";.*", "").strip().toLowerCase(Locale.ROOT);
        String declaredType = content.has(mediaType) ? mediaType : content.has("*/*") ? "*/*" : null;
        if (declaredType == null) {
            throw new AssertionError(name + " as '" + response.contentType() + "', not one of the declared "
                    + declaredTypes(content) + ": " + excerpt(response));
        }
        if (!mediaType.endsWith("json")) {
            return;
        }
        String schemaPointer = pointer + "/content/" + escape(declaredType) + "/schema";
        Schema schema = schemas.computeIfAbsent(schemaPointer,
                at -> registry.getSchema(SchemaLocation.of(SPEC_IRI + "#" + at)));
        List<Error> errors = schema.validate(response.body(), InputFormat.JSON);
        if (!errors.isEmpty()) {
            throw new AssertionError(name + " with a body that does not match " + schemaPointer + " of"
                    + " docs/openapi.json: " + errors + "\n" + excerpt(response));
        }
    }

    private static List<String> declaredTypes(JsonNode content) {
        List<String> types = new ArrayList<>();
        content.fieldNames().forEachRemaining(types::add);
        return types;
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String excerpt(ApiClient.Response response) {
        String body = response.body();
        return body.length() <= 2000 ? body : body.substring(0, 2000) + "…";
    }

    private static String read() {
        try (InputStream in = OpenApiContract.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("no " + RESOURCE + " on the class path: command-api packages it");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
