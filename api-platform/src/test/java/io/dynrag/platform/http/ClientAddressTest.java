package io.dynrag.platform.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The client address handlers see, over real connections from two loopback addresses, one a trusted proxy. */
class ClientAddressTest {

    private HttpServer server;

    @BeforeEach
    void start() {
        server = new HttpServer("127.0.0.1", 0, TrustedProxies.parse("127.0.0.1"), CorsPolicy.NONE,
                1_000_000, 1_000_000,
                Json.apiMapper(), List.of(routes -> routes.get("/v1/client",
                        ctx -> ctx.result(ClientAddress.of(ctx).getHostAddress()))),
                endpoint -> endpoint.handler, ProblemMapping.NONE, Map.of(), RequestObserver.NONE).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void theTrustedProxyNamesTheClient() throws Exception {
        assertThat(client("127.0.0.1")).isEqualTo("127.0.0.1");
        assertThat(client("127.0.0.1", "203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(client("127.0.0.1", "198.51.100.1, 203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(client("127.0.0.1", "198.51.100.1", "203.0.113.7")).as("two header lines").isEqualTo("203.0.113.7");
        assertThat(client("127.0.0.1", "garbage")).isEqualTo("127.0.0.1");
    }

    @Test
    void anyoneElseIsTheirOwnAddressWhateverTheyForward() throws Exception {
        assertThat(client("127.0.0.2")).isEqualTo("127.0.0.2");
        assertThat(client("127.0.0.2", "203.0.113.7")).isEqualTo("127.0.0.2");
        assertThat(client("127.0.0.2", "127.0.0.1")).isEqualTo("127.0.0.2");
    }

    /** The client address the server saw, for a request from {@code local} with these X-Forwarded-For lines. */
    private String client(String local, String... forwardedFor) throws Exception {
        HttpClient http = HttpClient.newBuilder().localAddress(InetAddress.getByName(local)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/client"));
        for (String value : forwardedFor) {
            request.header(TrustedProxies.FORWARDED_FOR, value);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }
}
