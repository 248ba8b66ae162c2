package io.dynrag.app.e2e;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request refused before its body is read must not cost the client the next request it sends
 * on the same connection: the server reads and drops a small body, also the part still arriving
 * when the answer is ready, so the connection stays usable.
 */
@Tag("e2e")
class RefusedRequestConnectionTest {

    private final TestSystem system = TestSystem.shared();

    private record Answer(int status, Map<String, String> headers, String body) {
    }

    @Test
    void aRequestSentBehindARefusedUploadOnTheSameConnectionIsAnswered() throws IOException {
        byte[] body = ("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n"
                + "words ".repeat(2_000) + "\r\n--b--\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket("127.0.0.1", system.api().port())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/documents HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer drk_not-a-key\r\n"
                    + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // Half the body now, half after the refusal has been decided: what a client sends of a
            // larger body while the answer is on its way.
            out.write(body, 0, body.length / 2);
            out.flush();
            sleep(500);
            out.write(body, body.length / 2, body.length - body.length / 2);
            out.write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();

            InputStream in = new BufferedInputStream(socket.getInputStream());
            Answer refused = read(in);
            Answer next = read(in);

            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.headers().getOrDefault("connection", "")).doesNotContainIgnoringCase("close");
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.body()).contains("\"status\"");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Answer read(InputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new TreeMap<>();
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).strip().toLowerCase(Locale.ROOT), header.substring(colon + 1).strip());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("the server closed the connection after: " + line);
            }
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
