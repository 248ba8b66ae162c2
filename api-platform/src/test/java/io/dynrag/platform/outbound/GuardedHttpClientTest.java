package io.dynrag.platform.outbound;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import io.dynrag.platform.outbound.NetworkFixtures.RebindingResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client's promise: it connects only where the policy looked, and TLS still checks the URL's host name. */
class GuardedHttpClientTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final AddressPolicy VETTED_ALLOWED = new AddressPolicy(AddressAllowlist.parse("127.0.0.2"));

    private final List<String> reachedInternal = new CopyOnWriteArrayList<>();
    private final List<String> reachedVetted = new CopyOnWriteArrayList<>();
    private final NetworkFixtures.TwoServers servers = NetworkFixtures.twoServersOnOnePort(
            exchange -> answer(exchange, reachedVetted, "a public page"),
            exchange -> answer(exchange, reachedInternal, "an internal secret"));

    @AfterEach
    void stop() {
        servers.close();
    }

    @Test
    void aNameThatSwitchesToAnInternalAddressAfterTheCheckIsReachedAtTheAddressThatWasChecked() throws IOException {
        RebindingResolver dns = new RebindingResolver(NetworkFixtures.VETTED, NetworkFixtures.INTERNAL);
        try (GuardedHttpClient http = client(dns)) {
            try (GuardedHttpClient.Response response = http.send(get("http://rebind.test:" + servers.port() + "/a"))) {
                assertThat(response.status()).isEqualTo(200);
                assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("a public page");
            }
            assertThat(dns.lookups("rebind.test")).as("one lookup, checked and connected to").isEqualTo(1);

            // The next request resolves anew and meets the internal address: refused, nothing sent.
            assertThatThrownBy(() -> http.send(get("http://rebind.test:" + servers.port() + "/b")))
                    .isInstanceOf(RefusedAddressException.class);
        }
        assertThat(reachedVetted).containsExactly("/a");
        assertThat(reachedInternal).as("the internal service saw nothing").isEmpty();
    }

    @Test
    void anAddressThePolicyRefusesIsNeverConnectedTo() {
        try (GuardedHttpClient http = new GuardedHttpClient(new AddressPolicy(AddressAllowlist.NONE), TIMEOUT)) {
            for (String url : List.of("http://127.0.0.1:" + servers.port() + "/x",
                    "http://[::ffff:127.0.0.1]:" + servers.port() + "/x", "http://localhost:" + servers.port() + "/x")) {
                assertThatThrownBy(() -> http.send(get(url))).as(url).isInstanceOf(RefusedAddressException.class);
            }
        }
        assertThat(reachedInternal).isEmpty();
    }

    @Test
    void tlsVerifiesTheCertificateAgainstTheUrlsHostWhileConnectingToTheVettedAddress(@TempDir Path dir)
            throws Exception {
        SSLContext tls = tlsFor("pinned.test", dir);
        List<String> serverNames = new CopyOnWriteArrayList<>();
        HttpsServer https = HttpsServer.create(new InetSocketAddress(NetworkFixtures.VETTED, 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        https.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        https.createContext("/", exchange -> {
            ((ExtendedSSLSession) ((HttpsExchange) exchange).getSSLSession()).getRequestedServerNames()
                    .forEach(name -> serverNames.add(((SNIHostName) name).getAsciiName()));
            answer(exchange, reachedVetted, "over TLS");
        });
        https.start();
        HostResolver dns = host -> List.of(NetworkFixtures.VETTED);
        int port = https.getAddress().getPort();
        try (GuardedHttpClient http = new GuardedHttpClient(new AddressPolicy(AddressAllowlist.parse("127.0.0.2"),
                dns), TIMEOUT, tls)) {
            try (GuardedHttpClient.Response response = http.send(get("https://pinned.test:" + port + "/tls"))) {
                assertThat(response.status()).isEqualTo(200);
            }
            assertThat(serverNames).as("SNI names the URL's host").containsExactly("pinned.test");

            // Same address, same certificate, another name: the certificate does not match it.
            assertThatThrownBy(() -> http.send(get("https://other.test:" + port + "/tls")))
                    .isInstanceOf(IOException.class).isNotInstanceOf(UnknownHostException.class);
            assertThatThrownBy(() -> http.send(get("https://127.0.0.2:" + port + "/tls")))
                    .isInstanceOf(IOException.class);
        } finally {
            https.stop(0);
        }
        assertThat(reachedVetted).containsExactly("/tls");
    }

    @Test
    void anAnswerThatDoesNotArriveOrTricklesPastTheTimeoutIsCutOff() throws IOException {
        HostResolver dns = host -> List.of(NetworkFixtures.VETTED);
        var slow = NetworkFixtures.server(new InetSocketAddress(NetworkFixtures.VETTED, 0), exchange -> {
            if (exchange.getRequestURI().getPath().equals("/trickle")) {
                exchange.sendResponseHeaders(200, 1_000);
                OutputStream body = exchange.getResponseBody();
                for (int i = 0; i < 1_000; i++) {
                    body.write('x');
                    body.flush();
                    sleep(Duration.ofMillis(100));
                }
            } else {
                sleep(Duration.ofSeconds(30));
            }
            exchange.close();
        });
        String base = "http://slow.test:" + slow.getAddress().getPort();
        try (GuardedHttpClient http = new GuardedHttpClient(new AddressPolicy(AddressAllowlist.parse("127.0.0.2"),
                dns), TIMEOUT)) {
            Duration timeout = Duration.ofMillis(500);
            assertThatThrownBy(() -> http.send(GuardedHttpClient.Request.get(URI.create(base + "/silent"), Map.of(),
                    timeout))).isInstanceOf(GuardedHttpClient.ExchangeTimeoutException.class);
            try (GuardedHttpClient.Response response = http.send(GuardedHttpClient.Request.get(
                    URI.create(base + "/trickle"), Map.of(), timeout))) {
                InputStream body = response.body();
                assertThatThrownBy(body::readAllBytes).isInstanceOf(GuardedHttpClient.ExchangeTimeoutException.class);
            }
        } finally {
            slow.stop(0);
        }
    }

    @Test
    void aFailedConnectionIsNeitherATimeoutOfTheAnswerNorAnUnknownHost() throws IOException {
        try (NetworkFixtures.FilteredPort filtered = new NetworkFixtures.FilteredPort();
             NetworkFixtures.HangUpPort hangUp = new NetworkFixtures.HangUpPort();
             GuardedHttpClient http = new GuardedHttpClient(new AddressPolicy(AddressAllowlist.parse("127.0.0.1")),
                     Duration.ofSeconds(1))) {
            for (String url : List.of("http://127.0.0.1:" + NetworkFixtures.closedPort() + "/",
                    "http://127.0.0.1:" + filtered.port() + "/", "http://127.0.0.1:" + hangUp.port() + "/",
                    "https://127.0.0.1:" + servers.port() + "/")) {
                assertThatThrownBy(() -> http.send(get(url))).as(url).isInstanceOf(IOException.class)
                        .isNotInstanceOf(UnknownHostException.class)
                        .isNotInstanceOf(GuardedHttpClient.ExchangeTimeoutException.class);
            }
        }
    }

    private GuardedHttpClient client(HostResolver dns) {
        return new GuardedHttpClient(new AddressPolicy(AddressAllowlist.parse("127.0.0.2"), dns), TIMEOUT);
    }

    private static GuardedHttpClient.Request get(String url) {
        return GuardedHttpClient.Request.get(URI.create(url), Map.of("User-Agent", "test"), TIMEOUT);
    }

    private static void answer(HttpExchange exchange, List<String> reached, String body) throws IOException {
        reached.add(exchange.getRequestURI().getPath());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A key pair with a certificate for {@code host} only, as server key and as the client's one trusted root. */
    private static SSLContext tlsFor(String host, Path dir) throws IOException, InterruptedException,
            GeneralSecurityException {
        Path store = dir.resolve("tls.p12");
        char[] password = "changeit".toCharArray();
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=" + host, "-ext", "SAN=dns:" + host, "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor()).as(output).isZero();
        KeyStore keys = KeyStore.getInstance(store.toFile(), password);
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, password);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(keys);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return tls;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
