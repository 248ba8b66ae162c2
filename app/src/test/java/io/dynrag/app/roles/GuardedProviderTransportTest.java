package io.dynrag.app.roles;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dynrag.pipeline.embedding.openai.EmbeddingsTransport;
import io.dynrag.platform.outbound.AddressAllowlist;
import io.dynrag.platform.outbound.AddressPolicy;
import io.dynrag.platform.outbound.RefusedAddressException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A customer's provider base URL is reached only at the address the policy vetted: 127.0.0.2 stands in for the
 * public address the name first resolves to (the allowlist permits it), 127.0.0.1 for the internal service it
 * switches to.
 */
class GuardedProviderTransportTest {

    private final List<String> reachedInternal = new CopyOnWriteArrayList<>();
    private HttpServer vetted;
    private HttpServer internal;

    @AfterEach
    void stop() {
        vetted.stop(0);
        internal.stop(0);
    }

    @Test
    void aBaseUrlWhoseNameSwitchesToAnInternalAddressIsCalledAtTheCheckedAddressOrNotAtAll() throws Exception {
        startServersOnOnePort();
        AtomicInteger lookups = new AtomicInteger();
        AddressPolicy policy = new AddressPolicy(AddressAllowlist.parse("127.0.0.2"), host -> List.of(
                InetAddress.getByName(lookups.getAndIncrement() == 0 ? "127.0.0.2" : "127.0.0.1")));
        URI embeddings = URI.create("http://provider.rebind.test:" + vetted.getAddress().getPort() + "/v1/embeddings");

        try (GuardedProviderTransport transport = new GuardedProviderTransport(policy)) {
            EmbeddingsTransport.Reply reply = transport.post(embeddings, Map.of("Authorization", "Bearer sk-test"),
                    "{}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5)).get();
            assertThat(reply.status()).isEqualTo(200);
            assertThat(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo("vetted");
            assertThat(reply.headers().firstValue("X-Served-By")).contains("vetted");

            assertThatThrownBy(() -> transport.post(embeddings, Map.of(), new byte[0], Duration.ofSeconds(5)).get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RefusedAddressException.class);
        }
        assertThat(reachedInternal).as("neither the key nor the texts reached the internal service").isEmpty();
        assertThat(lookups).as("one lookup per request").hasValue(2);
    }

    @Test
    void aProviderThatDoesNotAnswerInTimeEndsInATimeout() throws Exception {
        startServersOnOnePort();
        AddressPolicy policy = new AddressPolicy(AddressAllowlist.parse("127.0.0.2"),
                host -> List.of(InetAddress.getByName("127.0.0.2")));
        URI silent = URI.create("http://provider.test:" + vetted.getAddress().getPort() + "/silent");

        try (GuardedProviderTransport transport = new GuardedProviderTransport(policy)) {
            assertThatThrownBy(() -> transport.post(silent, Map.of(), new byte[0], Duration.ofMillis(300)).get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
        }
    }

    private void startServersOnOnePort() throws IOException {
        for (int attempt = 1; ; attempt++) {
            vetted = server(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
            vetted.createContext("/", exchange -> {
                if (exchange.getRequestURI().getPath().equals("/silent")) {
                    sleep(Duration.ofSeconds(10));
                }
                answer(exchange, "vetted");
            });
            try {
                internal = server(new InetSocketAddress(InetAddress.getByName("127.0.0.1"),
                        vetted.getAddress().getPort()));
                internal.createContext("/", exchange -> {
                    reachedInternal.add(exchange.getRequestURI().getPath());
                    answer(exchange, "internal");
                });
                return;
            } catch (BindException e) {
                vetted.stop(0);
                if (attempt == 20) {
                    throw e;
                }
            }
        }
    }

    private static HttpServer server(InetSocketAddress address) throws IOException {
        HttpServer server = HttpServer.create(address, 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return server;
    }

    private static void answer(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("X-Served-By", body);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
