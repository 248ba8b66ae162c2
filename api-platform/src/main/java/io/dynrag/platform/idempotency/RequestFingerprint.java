package io.dynrag.platform.idempotency;

import jakarta.servlet.http.Part;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;

/**
 * What makes two requests "the same" for a retry: method, path, the calling credential and a SHA-256 of the
 * body. A retry under the same key must match this exactly, or it is another request reusing the key.
 *
 * <p>Multipart bodies are hashed part by part (name, file name, content type, content) rather than as raw
 * bytes: clients pick a fresh random boundary for every request they build, so the raw bytes of a faithful
 * retry differ although nothing it says does.
 */
public final class RequestFingerprint {

    private RequestFingerprint() {
    }

    /** The SHA-256 of the request as a whole. */
    public static byte[] of(String method, String path, String caller, byte[] bodySha256) {
        MessageDigest digest = sha256();
        text(digest, method);
        text(digest, path);
        text(digest, caller);
        digest.update(bodySha256);
        return digest.digest();
    }

    public static byte[] body(byte[] body) {
        return sha256().digest(body);
    }

    /** The SHA-256 of the parts in the order they were sent; each is length-prefixed, so no two bodies collide by shifting bytes between fields. */
    public static byte[] multipart(Collection<Part> parts) throws IOException {
        MessageDigest digest = sha256();
        for (Part part : parts) {
            text(digest, part.getName());
            text(digest, part.getSubmittedFileName());
            text(digest, part.getContentType());
            digest.update(ByteBuffer.allocate(Long.BYTES).putLong(part.getSize()).array());
            try (InputStream content = part.getInputStream()) {
                byte[] buffer = new byte[64 * 1024];
                for (int read; (read = content.read(buffer)) != -1; ) {
                    digest.update(buffer, 0, read);
                }
            }
        }
        return digest.digest();
    }

    /** A length prefix (-1 for null) then the UTF-8 bytes. */
    private static void text(MessageDigest digest, String value) {
        byte[] bytes = value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
        digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(value == null ? -1 : bytes.length).array());
        digest.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
