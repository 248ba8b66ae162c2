package io.dynrag.platform.idempotency;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A response as it is replayed: status, content type, the headers that describe the outcome (not those of
 * the moment, such as rate limits or the correlation id) and the body, byte for byte.
 *
 * @param contentType null when the response had none (a 204)
 */
public record StoredResponse(int status, String contentType, Map<String, String> headers, byte[] body) {

    public StoredResponse {
        headers = Map.copyOf(headers);
    }

    byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length + 256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(status);
            out.writeBoolean(contentType != null);
            if (contentType != null) {
                out.writeUTF(contentType);
            }
            out.writeInt(headers.size());
            for (Map.Entry<String, String> header : headers.entrySet()) {
                out.writeUTF(header.getKey());
                out.writeUTF(header.getValue());
            }
            out.writeInt(body.length);
            out.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static StoredResponse fromBytes(byte[] stored) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
            int status = in.readInt();
            String contentType = in.readBoolean() ? in.readUTF() : null;
            int headerCount = in.readInt();
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 0; i < headerCount; i++) {
                headers.put(in.readUTF(), in.readUTF());
            }
            byte[] body = in.readNBytes(in.readInt());
            return new StoredResponse(status, contentType, headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException("a stored response is damaged", e);
        }
    }
}
