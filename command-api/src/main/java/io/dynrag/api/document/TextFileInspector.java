package io.dynrag.api.document;

import io.dynrag.api.http.ApiProblem;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Decides whether an upload is a text document we can index, in one pass over its bytes that
 * also computes the SHA-256 naming the stored object. The name picks the text dialect
 * (Markdown or plain); the bytes must really be UTF-8 text, whatever the name claims.
 */
public final class TextFileInspector {

    private static final Map<String, String> TYPE_BY_EXTENSION = Map.of(
            "txt", "text/plain",
            "text", "text/plain",
            "md", "text/markdown",
            "markdown", "text/markdown");

    public record Inspected(String contentType, String sha256, long bytes) {
    }

    private TextFileInspector() {
    }

    public static Inspected inspect(String filename, Supplier<InputStream> content, long maxBytes) {
        String contentType = contentTypeOf(filename);
        MessageDigest sha256 = newSha256();
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer pending = ByteBuffer.allocate(64 * 1024 + 8);
        CharBuffer decoded = CharBuffer.allocate(64 * 1024 + 8);
        long total = 0;
        try (InputStream in = new DigestInputStream(content.get(), sha256)) {
            byte[] chunk = new byte[64 * 1024];
            int read;
            while ((read = in.read(chunk)) != -1) {
                total += read;
                if (total > maxBytes) {
                    throw ApiProblem.tooLarge("the file is larger than the limit of " + maxBytes + " bytes");
                }
                for (int i = 0; i < read; i++) {
                    if (chunk[i] == 0) {
                        throw notText(filename, "it contains NUL bytes");
                    }
                }
                pending.put(chunk, 0, read).flip();
                decode(utf8, pending, decoded, false, filename);
                pending.compact();
            }
            pending.flip();
            decode(utf8, pending, decoded, true, filename);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the uploaded file", e);
        }
        if (total == 0) {
            throw ApiProblem.badRequest("the file is empty");
        }
        return new Inspected(contentType, HexFormat.of().formatHex(sha256.digest()), total);
    }

    private static void decode(CharsetDecoder utf8, ByteBuffer in, CharBuffer out, boolean endOfInput,
                               String filename) {
        out.clear();
        var result = utf8.decode(in, out, endOfInput);
        while (result.isOverflow()) {
            out.clear();
            result = utf8.decode(in, out, endOfInput);
        }
        if (result.isError()) {
            throw notText(filename, "it is not valid UTF-8 text");
        }
        if (endOfInput && in.hasRemaining()) {
            throw notText(filename, "it ends in the middle of a UTF-8 character");
        }
    }

    static String contentTypeOf(String filename) {
        String name = filename == null ? "" : filename;
        int dot = name.lastIndexOf('.');
        String extension = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        String type = TYPE_BY_EXTENSION.get(extension);
        if (type == null) {
            throw ApiProblem.unsupportedMediaType("'" + name + "' is not a supported document type; upload plain "
                    + "text (.txt) or Markdown (.md)");
        }
        return type;
    }

    private static ApiProblem notText(String filename, String why) {
        return ApiProblem.unsupportedMediaType("'" + filename + "' is named as a text document but " + why);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
