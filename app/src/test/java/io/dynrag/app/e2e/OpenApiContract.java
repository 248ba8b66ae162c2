package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code docs/openapi.json}, as the API packages it, held against real traffic. Every request {@link ApiClient}
 * sends must name a specified operation, declare its parameters and match their schemas, and carry a body of a
 * declared content type that matches its schema; a test whose point is a request outside the contract says so
 * with {@link ApiClient#outsideContract()}. Every answer to a specified operation must have a declared status and
 * content type, and its JSON body must match the declared schema. The schemas forbid undeclared fields, so a
 * field added to a request or an answer without the contract fails the end-to-end tests. An answer from a route
 * the contract does not name (a probe of an unknown path) is not checked here: {@code OpenApiContractTest} holds
 * the contract to the registered routes.
 */
final class OpenApiContract {

    /** Where the API's build puts {@code docs/openapi.json} on the class path. */
    private static final String RESOURCE = "io/dynrag/api/openapi/openapi.json";
    /** The name the schemas are resolved under; nothing is fetched. */
    private static final String SPEC_IRI = "https://dynrag.io/openapi.json";
    private static final Pattern PARAMETER = Pattern.compile("\\{([^/}]+)}");
    private static final OpenApiContract INSTANCE = new OpenApiContract();

    private final ObjectMapper mapper = new ObjectMapper();
    private final JsonNode spec;
    private final SchemaRegistry registry;
    private final List<Operation> operations = new ArrayList<>();
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    /** @param parameters the names of the path's parameters, in the order of {@code path}'s groups */
    private record Operation(String method, String template, Pattern path, List<String> parameters, JsonNode node) {

        String pointer() {
            return "/paths/" + escape(template) + "/" + method.toLowerCase(Locale.ROOT);
        }
    }

    private OpenApiContract() {
        String document = read();
        try {
            spec = mapper.readTree(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(),
                builder -> builder.schemas(Map.of(SPEC_IRI, document)));
        spec.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            List<String> names = new ArrayList<>();
            PARAMETER.matcher(path.getKey()).results().forEach(found -> names.add(found.group(1)));
            operations.add(new Operation(operation.getKey().toUpperCase(Locale.ROOT), path.getKey(),
                    Pattern.compile(PARAMETER.matcher(path.getKey()).replaceAll("([^/]+)")), names,
                    operation.getValue()));
        }));
        // A literal segment wins over a parameter: /v1/documents/batch is not a document id.
        operations.sort(Comparator.comparingInt(operation -> operation.parameters().size()));
    }

    static OpenApiContract get() {
        return INSTANCE;
    }

    /**
     * Throws an {@link AssertionError} naming the operation when the request breaks the contract: no operation for
     * its method and path, a parameter undeclared, missing or not of its schema, a body missing, undeclared, of an
     * undeclared content type or not matching its schema.
     *
     * @param contentType the request's {@code Content-Type}, empty when it has none
     * @param body        the bytes sent, empty for none
     */
    void checkRequest(String method, String pathAndQuery, String contentType, byte[] body) {
        if (method.equals("OPTIONS")) {
            // A browser's CORS preflight, which the server answers on every route: HTTP's, not an operation.
            return;
        }
        String path = pathAndQuery.replaceFirst("[?#].*", "");
        Operation operation = operation(method, path).orElseThrow(() -> new AssertionError(method + " "
                + pathAndQuery + ": no operation of docs/openapi.json; a test that means to send it marks the"
                + " request with ApiClient.outsideContract()"));
        String name = method + " " + operation.template() + " (" + pathAndQuery + ") requested";
        checkParameters(name, operation, path, pathAndQuery.contains("?")
                ? pathAndQuery.substring(pathAndQuery.indexOf('?') + 1).replaceFirst("#.*", "") : "");
        checkBody(name, operation, contentType, body);
    }

    /** Throws an {@link AssertionError} naming the operation when the answer breaks the contract. */
    void check(String method, String pathAndQuery, ApiClient.Response response) {
        Optional<Operation> found = operation(method, pathAndQuery.replaceFirst("[?#].*", ""));
        if (found.isEmpty()) {
            return;
        }
        Operation operation = found.get();
        String name = method + " " + operation.template() + " (" + pathAndQuery + ") answered " + response.status();
        String pointer = operation.pointer() + "/responses/";
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
        String mediaType = mediaType(response.contentType());
        String declaredType = content.has(mediaType) ? mediaType : content.has("*/*") ? "*/*" : null;
        if (declaredType == null) {
            throw new AssertionError(name + " as '" + response.contentType() + "', not one of the declared "
                    + declaredTypes(content) + ": " + excerpt(response));
        }
        if (!mediaType.endsWith("json")) {
            return;
        }
        String schemaPointer = pointer + "/content/" + escape(declaredType) + "/schema";
        List<Error> errors = schema(schemaPointer).validate(response.body(), InputFormat.JSON);
        if (!errors.isEmpty()) {
            throw new AssertionError(name + " with a body that does not match " + schemaPointer + " of"
                    + " docs/openapi.json: " + errors + "\n" + excerpt(response.body()));
        }
    }

    private Optional<Operation> operation(String method, String path) {
        return operations.stream()
                .filter(operation -> operation.method().equals(method) && operation.path().matcher(path).matches())
                .findFirst();
    }

    /** Path parameters by the template, query parameters by name: each declared and of its schema. */
    private void checkParameters(String name, Operation operation, String path, String query) {
        Map<String, List<String>> sent = new LinkedHashMap<>();
        Matcher segments = operation.path().matcher(path);
        if (!segments.matches()) {
            throw new IllegalStateException("the operation was found by this path: " + path);
        }
        for (int i = 0; i < operation.parameters().size(); i++) {
            sent.put("path " + operation.parameters().get(i), List.of(decode(segments.group(i + 1), false)));
        }
        for (String pair : query.isEmpty() ? new String[0] : query.split("&")) {
            int equals = pair.indexOf('=');
            String key = decode(equals < 0 ? pair : pair.substring(0, equals), true);
            sent.computeIfAbsent("query " + key, k -> new ArrayList<>())
                    .add(equals < 0 ? "" : decode(pair.substring(equals + 1), true));
        }
        JsonNode declared = operation.node().path("parameters");
        Map<String, JsonNode> parameters = new LinkedHashMap<>();
        for (int i = 0; i < declared.size(); i++) {
            JsonNode parameter = declared.get(i);
            String pointer = parameter.has("$ref") ? parameter.path("$ref").asText().substring(1)
                    : operation.pointer() + "/parameters/" + i;
            parameters.put(pointer, spec.at(pointer));
        }
        // Named parameters first: an exploded object takes the query parameters left, by its property names.
        parameters.entrySet().stream().sorted(Comparator.comparing(parameter -> exploded(parameter.getValue())))
                .forEach(parameter -> checkParameter(name, parameter.getKey(), parameter.getValue(), sent));
        sent.keySet().stream().findFirst().ifPresent(key -> {
            throw new AssertionError(name + " with the " + key + " parameter, which docs/openapi.json does not"
                    + " declare for " + operation.method() + " " + operation.template());
        });
    }

    /** Checks one declared parameter against what was sent, and takes it out of {@code sent}. */
    private void checkParameter(String name, String pointer, JsonNode parameter, Map<String, List<String>> sent) {
        String key = parameter.path("in").asText() + " " + parameter.path("name").asText();
        JsonNode schema = resolve(parameter.path("schema"));
        JsonNode value;
        if (exploded(parameter)) {
            Pattern names = Pattern.compile(schema.path("propertyNames").path("pattern").asText("^$"));
            ObjectNode object = JsonNodeFactory.instance.objectNode();
            List.copyOf(sent.keySet()).stream().filter(sentKey -> sentKey.startsWith("query "))
                    .map(sentKey -> sentKey.substring("query ".length()))
                    .filter(property -> schema.path("properties").has(property) || names.matcher(property).find())
                    .forEach(property -> {
                        List<String> values = sent.remove("query " + property);
                        object.set(property, values.size() == 1 ? JsonNodeFactory.instance.textNode(values.getFirst())
                                : typedList(values, JsonNodeFactory.instance.objectNode()));
                    });
            if (object.isEmpty()) {
                return;
            }
            value = object;
        } else {
            List<String> values = sent.remove(key);
            if (values == null) {
                if (parameter.path("required").asBoolean()) {
                    throw new AssertionError(name + " without the required " + key + " parameter");
                }
                return;
            }
            boolean list = "array".equals(schema.path("type").asText());
            if (values.size() > 1 && !list) {
                throw new AssertionError(name + " with the " + key + " parameter given " + values.size() + " times");
            }
            value = list ? typedList(values, schema.path("items")) : typed(values.getFirst(), schema);
        }
        List<Error> errors = schema(pointer + "/schema").validate(value.toString(), InputFormat.JSON);
        if (!errors.isEmpty()) {
            throw new AssertionError(name + " with the " + key + " parameter " + value + " not matching " + pointer
                    + "/schema of docs/openapi.json: " + errors);
        }
    }

    /** A query parameter that is an object spread over query parameters of its properties' names. */
    private boolean exploded(JsonNode parameter) {
        return parameter.path("in").asText().equals("query")
                && "object".equals(resolve(parameter.path("schema")).path("type").asText())
                && parameter.path("style").asText("form").equals("form") && parameter.path("explode").asBoolean(true);
    }

    private void checkBody(String name, Operation operation, String contentType, byte[] body) {
        JsonNode requestBody = operation.node().path("requestBody");
        String pointer = operation.pointer() + "/requestBody";
        if (requestBody.has("$ref")) {
            pointer = requestBody.path("$ref").asText().substring(1);
            requestBody = spec.at(pointer);
        }
        if (body.length == 0) {
            if (requestBody.path("required").asBoolean()) {
                throw new AssertionError(name + " without the body docs/openapi.json requires");
            }
            return;
        }
        JsonNode content = requestBody.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            throw new AssertionError(name + " with a body docs/openapi.json does not declare: " + excerpt(body));
        }
        String mediaType = mediaType(contentType);
        if (!content.has(mediaType)) {
            throw new AssertionError(name + " as '" + contentType + "', not one of the declared "
                    + declaredTypes(content));
        }
        String schemaPointer = pointer + "/content/" + escape(mediaType) + "/schema";
        JsonNode instance;
        if (mediaType.endsWith("json")) {
            try {
                instance = mapper.readTree(body);
            } catch (IOException e) {
                throw new AssertionError(name + " with a body that is not JSON: " + excerpt(body), e);
            }
        } else if (mediaType.equals("multipart/form-data")) {
            instance = form(contentType, body, resolve(spec.at(schemaPointer)));
        } else {
            return;
        }
        List<Error> errors = schema(schemaPointer).validate(instance.toString(), InputFormat.JSON);
        if (!errors.isEmpty()) {
            throw new AssertionError(name + " with a body that does not match " + schemaPointer + " of"
                    + " docs/openapi.json: " + errors + "\n" + excerpt(body));
        }
    }

    /**
     * A multipart body as the object OpenAPI describes it with: a part per property, files as strings, a name given
     * more than once (or declared as a list) as a list.
     */
    private static JsonNode form(String contentType, byte[] body, JsonNode schema) {
        Matcher boundary = Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(contentType);
        if (!boundary.find()) {
            throw new AssertionError("a multipart body without a boundary: " + contentType);
        }
        Map<String, List<String>> parts = new LinkedHashMap<>();
        String text = new String(body, StandardCharsets.ISO_8859_1);
        for (String part : text.split(Pattern.quote("--" + boundary.group(1)))) {
            int headersEnd = part.indexOf("\r\n\r\n");
            Matcher field = Pattern.compile("(?i)content-disposition:[^\r\n]*\\bname=\"([^\"]*)\"")
                    .matcher(headersEnd < 0 ? "" : part.substring(0, headersEnd));
            if (field.find()) {
                String value = part.substring(headersEnd + 4).replaceFirst("\r\n$", "");
                parts.computeIfAbsent(field.group(1), k -> new ArrayList<>())
                        .add(new String(value.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
            }
        }
        ObjectNode form = JsonNodeFactory.instance.objectNode();
        parts.forEach((name, values) -> {
            if (values.size() > 1 || "array".equals(schema.path("properties").path(name).path("type").asText())) {
                ArrayNode list = form.putArray(name);
                values.forEach(list::add);
            } else {
                form.put(name, values.getFirst());
            }
        });
        return form;
    }

    /** A parameter's text as the JSON value its schema describes; text that is not one stays text and fails. */
    private static JsonNode typed(String value, JsonNode schema) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        String type = schema.path("type").asText();
        try {
            return switch (type) {
                case "integer" -> json.numberNode(new BigDecimal(value).toBigIntegerExact());
                case "number" -> json.numberNode(new BigDecimal(value));
                case "boolean" -> value.equals("true") || value.equals("false")
                        ? json.booleanNode(Boolean.parseBoolean(value)) : json.textNode(value);
                default -> json.textNode(value);
            };
        } catch (ArithmeticException | NumberFormatException e) {
            return json.textNode(value);
        }
    }

    private static JsonNode typedList(List<String> values, JsonNode items) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        values.forEach(value -> list.add(typed(value, items)));
        return list;
    }

    private JsonNode resolve(JsonNode schema) {
        return schema.has("$ref") ? spec.at(schema.path("$ref").asText().substring(1)) : schema;
    }

    private Schema schema(String pointer) {
        return schemas.computeIfAbsent(pointer, at -> registry.getSchema(SchemaLocation.of(SPEC_IRI + "#" + at)));
    }

    private static String decode(String text, boolean query) {
        return URLDecoder.decode(query ? text : text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String mediaType(String contentType) {
        return contentType.replaceFirst(";.*", "").strip().toLowerCase(Locale.ROOT);
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
        return excerpt(response.body());
    }

    private static String excerpt(byte[] body) {
        return excerpt(new String(body, StandardCharsets.UTF_8));
    }

    private static String excerpt(String body) {
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
