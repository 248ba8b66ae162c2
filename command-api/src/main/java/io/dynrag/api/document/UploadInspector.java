package io.dynrag.api.document;

import io.dynrag.domain.DomainRuleViolation;
import io.dynrag.domain.document.format.DocumentFormat;
import io.dynrag.domain.document.format.DocumentFormats;

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
import java.util.function.Supplier;

/**
 * Decides whether an upload is a document we can index: the type comes from the content (the
 * name only tells Markdown from plain text), then one pass over the bytes computes the SHA-256
 * naming the stored object and, for text formats, checks that every byte is UTF-8.
 */
public final class UploadInspector {

    public record Inspected(String contentType, String sha256, long bytes) {
    }

    private UploadInspector() {
    }

    public static Inspected inspect(String filename, Supplier<InputStream> content, long maxBytes) {
        DocumentFormat format = detect(filename, content);
        boolean text = format == DocumentFormat.MARKDOWN || format == DocumentFormat.PLAIN_TEXT;
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
                    throw new DocumentTooLargeException(maxBytes);
                }
                if (!text) {
                    continue;
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
            if (text) {
                pending.flip();
                decode(utf8, pending, decoded, true, filename);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the uploaded file", e);
        }
        if (total == 0) {
            throw new DomainRuleViolation("the file is empty");
        }
        return new Inspected(format.mediaType(), HexFormat.of().formatHex(sha256.digest()), total);
    }

    private static DocumentFormat detect(String filename, Supplier<InputStream> content) {
        byte[] head;
        try (InputStream in = content.get()) {
            head = in.readNBytes(DocumentFormats.HEAD_BYTES);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the uploaded file", e);
        }
        if (head.length == 0) {
            throw new DomainRuleViolation("the file is empty");
        }
        return DocumentFormats.detect(head, filename).orElseThrow(() -> new UnsupportedDocumentTypeException(
                "'" + filename + "' is not a document we can index: upload PDF (with a text layer), HTML, "
                        + "Markdown or plain text (UTF-8)"));
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

    private static UnsupportedDocumentTypeException notText(String filename, String why) {
        return new UnsupportedDocumentTypeException("'" + filename + "' looks like a text document but " + why);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
