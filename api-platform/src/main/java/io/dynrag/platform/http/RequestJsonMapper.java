package io.dynrag.platform.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.json.JavalinJackson;
import io.javalin.json.JsonMapper;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Type;
import java.util.stream.Stream;

/**
 * Javalin's Jackson mapper, except that a request body of JSON {@code null} is the client's mistake:
 * Javalin turns the null Jackson reads from it into a NullPointerException, which would answer 500.
 */
final class RequestJsonMapper implements JsonMapper {

    private final JavalinJackson jackson;

    RequestJsonMapper(JavalinJackson jackson) {
        this.jackson = jackson;
    }

    @Override
    public String toJsonString(Object obj, Type type) {
        return jackson.toJsonString(obj, type);
    }

    @Override
    public InputStream toJsonStream(Object obj, Type type) {
        return jackson.toJsonStream(obj, type);
    }

    @Override
    public void writeToOutputStream(Stream<?> stream, OutputStream outputStream) {
        jackson.writeToOutputStream(stream, outputStream);
    }

    @Override
    public <T> T fromJsonString(String json, Type targetType) {
        // Read as a tree first: for JSON null that is a NullNode, not null.
        JsonNode tree = jackson.fromJsonString(json, JsonNode.class);
        if (tree.isNull()) {
            throw ApiProblem.badRequest("the body is JSON null; send a JSON object");
        }
        return jackson.fromJsonString(json, targetType);
    }

    @Override
    public <T> T fromJsonStream(InputStream json, Type targetType) {
        return jackson.fromJsonStream(json, targetType);
    }
}
