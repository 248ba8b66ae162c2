package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Reads and rewrites the parts of a compact JWS, as someone holding a token could. */
final class JwtParts {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JwtParts() {
    }

    static ObjectNode header(String jwt) {
        return decode(jwt.split("\\.")[0]);
    }

    static ObjectNode claims(String jwt) {
        return decode(jwt.split("\\.")[1]);
    }

    static String signature(String jwt) {
        String[] parts = jwt.split("\\.");
        return parts.length > 2 ? parts[2] : "";
    }

    static String encode(ObjectNode json) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode decode(String part) {
        try {
            return (ObjectNode) JSON.readTree(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
