package io.dynrag.platform.outbound;

import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

import javax.net.ssl.SSLContext;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An HTTP/1.1 client for addresses customers give us (pages to fetch, webhook receivers, embedding provider base
 * URLs) that connects only where {@link AddressPolicy} looked. The client's one way to learn an address is
 * {@link AddressPolicy#resolve(String)}: the host is resolved once per connection, every address checked, and the
 * connection made to exactly those addresses, so a name cannot switch to an internal address between the check
 * and the connection (DNS rebinding), on a first request or on any redirect a caller follows. TLS still sends
 * the URL's host name (SNI) and verifies the certificate against it.
 *
 * <p>No proxy, no redirects, no retries, no cookies, no decompression; each connection carries one exchange and
 * is closed with its response, so every request is checked anew.
 */
public final class GuardedHttpClient implements AutoCloseable {

    /**
     * The one detail for every way a connection can fail or break before an answer, so that none tells a closed
     * port from a filtered one or a TLS service; the cause belongs in our log.
     */
    private static final String UNREACHABLE = "the connection to '%s' failed (refused, unreachable, timed out, "
            + "a failed TLS handshake or closed without an answer)";
    /** Callers bound how many requests they make at once; the pool must never be what makes them wait. */
    private static final int MAX_CONNECTIONS = 1024;
    /** How much longer than its deadline a request may wait for bytes, should the deadline fail to end it. */
    private static final Duration BACKSTOP = Duration.ofSeconds(5);

    /**
     * @param headers sent as given; the client adds {@code Host} and {@code Content-Length}
     * @param body    null for none
     * @param timeout the longest the exchange may take, from sending until the response is closed
     */
    public record Request(String method, URI uri, Map<String, String> headers, byte[] body, Duration timeout) {

        public Request {
            headers = Map.copyOf(headers);
        }

        public static Request get(URI uri, Map<String, String> headers, Duration timeout) {
            return new Request("GET", uri, headers, null, timeout);
        }

        public static Request post(URI uri, Map<String, String> headers, byte[] body, Duration timeout) {
            return new Request("POST", uri, headers, body, timeout);
        }
    }

    /** An answer whose body is read from the connection; closing it drops the connection at once, read or not. */
    public static final class Response implements AutoCloseable {

        private final CloseableHttpResponse response;
        private final Exchange exchange;

        private Response(CloseableHttpResponse response, Exchange exchange) {
            this.response = response;
            this.exchange = exchange;
        }

        public int status() {
            return response.getCode();
        }

        public Optional<String> header(String name) {
            return Optional.ofNullable(response.getFirstHeader(name)).map(Header::getValue);
        }

        /** Every header, names in lower case. */
        public Map<String, List<String>> headers() {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (Header header : response.getHeaders()) {
                headers.computeIfAbsent(header.getName().toLowerCase(Locale.ROOT), name -> new ArrayList<>())
                        .add(header.getValue());
            }
            return headers;
        }

        /**
         * The body as it arrives; empty when there is none. A read cut off by the request's timeout throws
         * {@link ExchangeTimeoutException}. Do not close it: close the response.
         */
        public InputStream body() throws IOException {
            HttpEntity entity = response.getEntity();
            if (entity == null) {
                return InputStream.nullInputStream();
            }
            return new FilterInputStream(entity.getContent()) {
                @Override
                public int read() throws IOException {
                    try {
                        return super.read();
                    } catch (IOException e) {
                        throw exchange.explained(e);
                    }
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    try {
                        return super.read(buffer, offset, length);
                    } catch (IOException e) {
                        throw exchange.explained(e);
                    }
                }
            };
        }

        @Override
        public void close() {
            // A graceful close would read an unread body to its end first: a page too large, or endless.
            response.close(CloseMode.IMMEDIATE);
            exchange.deadline().cancel(false);
        }
    }

    /** The request's timeout passed: the exchange was cut off. */
    public static final class ExchangeTimeoutException extends SocketTimeoutException {

        ExchangeTimeoutException(Duration timeout) {
            super("no answer within " + timeout);
        }
    }

    private final CloseableHttpClient http;
    private final ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1, runnable ->
            Thread.ofPlatform().name("guarded-http-deadlines").daemon().unstarted(runnable));

    /** @param connectTimeout how long opening one connection (TLS handshake included) may take */
    public GuardedHttpClient(AddressPolicy policy, Duration connectTimeout) {
        this(policy, connectTimeout, defaultTls());
    }

    /** @param tls what TLS trusts: the JDK's authorities, or a test's own */
    GuardedHttpClient(AddressPolicy policy, Duration connectTimeout, SSLContext tls) {
        deadlines.setRemoveOnCancelPolicy(true);
        DnsResolver vettedAddresses = new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                return policy.resolve(host).toArray(InetAddress[]::new);
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(vettedAddresses)
                        // Host name verification by both JSSE and the client, against the URL's host.
                        .setTlsSocketStrategy(new DefaultClientTlsStrategy(tls))
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(connectTimeout))
                                .build())
                        .setMaxConnTotal(MAX_CONNECTIONS)
                        .setMaxConnPerRoute(MAX_CONNECTIONS)
                        .build())
                // One exchange per connection: every request resolves and is checked anew.
                .setConnectionReuseStrategy((request, response, context) -> false)
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .disableConnectionState()
                .build();
    }

    /**
     * @throws RefusedAddressException  when the host is or resolves to an address the policy refuses; nothing
     *                                  was sent
     * @throws UnknownHostException     when the host cannot be resolved
     * @throws ExchangeTimeoutException when the answer took longer than the request's timeout
     * @throws IOException              when no connection could be made (refused, timed out, unreachable, TLS) or
     *                                  it failed before the answer's headers arrived
     */
    public Response send(Request request) throws IOException {
        HttpUriRequestBase message = new HttpUriRequestBase(request.method(), request.uri());
        request.headers().forEach(message::setHeader);
        if (request.body() != null) {
            message.setEntity(new ByteArrayEntity(request.body(), null));
        }
        // The deadline below ends the exchange; waiting for bytes a little longer is only a backstop.
        Timeout backstop = Timeout.of(request.timeout().plus(BACKSTOP));
        message.setConfig(RequestConfig.custom()
                .setResponseTimeout(backstop)
                .setConnectionRequestTimeout(backstop)
                .setProtocolUpgradeEnabled(false)
                .setAuthenticationEnabled(false)
                .build());
        AtomicBoolean timedOut = new AtomicBoolean();
        AtomicReference<CloseableHttpResponse> answered = new AtomicReference<>();
        // The response timeout bounds each wait for bytes; this bounds the whole exchange, however it trickles.
        Exchange exchange = new Exchange(request.timeout(), timedOut, deadlines.schedule(() -> {
            timedOut.set(true);
            message.cancel();
            Optional.ofNullable(answered.get()).ifPresent(response -> response.close(CloseMode.IMMEDIATE));
        }, request.timeout().toNanos(), TimeUnit.NANOSECONDS));
        boolean answeredInTime = false;
        try {
            CloseableHttpResponse response = http.execute(message);
            answered.set(response);
            if (timedOut.get()) {
                response.close(CloseMode.IMMEDIATE);
                throw new ExchangeTimeoutException(request.timeout());
            }
            answeredInTime = true;
            return new Response(response, exchange);
        } catch (UnknownHostException e) {
            throw e;
        } catch (IOException e) {
            throw exchange.explained(e);
        } finally {
            if (!answeredInTime) {
                exchange.deadline().cancel(false);
            }
        }
    }

    /** One request under way, and the deadline that cuts it off. */
    private record Exchange(Duration timeout, AtomicBoolean timedOut, ScheduledFuture<?> deadline) {

        /**
         * A failure the deadline caused is a timeout; any other is not, a TLS handshake that timed out included
         * (it is a failed connection).
         */
        IOException explained(IOException failure) {
            return timedOut.get() ? new ExchangeTimeoutException(timeout) : failure;
        }
    }

    /** What to tell a customer when {@link #send} failed with a plain {@link IOException}. */
    public static String unreachable(String host) {
        return UNREACHABLE.formatted(host);
    }

    private static SSLContext defaultTls() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK offers no TLS", e);
        }
    }

    @Override
    public void close() {
        http.close(CloseMode.IMMEDIATE);
        deadlines.shutdownNow();
    }
}
