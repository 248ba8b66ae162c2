package io.dynrag.api.document.url;

import io.dynrag.api.http.ApiProblem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fetches a page a customer names by URL into a temporary file, as a server inside our network
 * must: every hop (the URL and each redirect, followed here, never by the client) is checked
 * against {@link AddressPolicy} for every address its host resolves to; the whole fetch has one
 * deadline; the body is counted while it streams and the connection is dropped as soon as it is
 * too large or of a type we do not index.
 *
 * <p>The HTTP client resolves the host again when it connects. It does so through the JVM's
 * address cache, which the check a moment before has just filled (positive answers are kept for
 * {@code networkaddress.cache.ttl}, 30 seconds by default, whatever the DNS record's TTL), so a name
 * cannot switch to an internal address between the check and the connection unless the cache entry
 * expires in between.
 */
public final class PageFetcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PageFetcher.class);

    /** The media types of the formats we index; the content itself is detected again on intake. */
    private static final Set<String> FETCHED_TYPES = Set.of("application/pdf", "text/html", "text/markdown",
            "text/x-markdown", "text/plain");
    private static final String ACCEPT = "application/pdf, text/html, text/markdown, text/plain;q=0.9";
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    private static final String USER_AGENT = "DynamicRAG-Fetcher/1.0";
    /** An interrupted fetch stops at its next read; a DNS lookup in progress cannot be interrupted. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final UrlFetchSettings settings;
    private final AddressPolicy policy;
    private final Path tempDir;
    private final HttpClient http;
    private final ExecutorService fetches = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("url-fetch-", 0).factory());

    public PageFetcher(UrlFetchSettings settings) {
        this.settings = settings;
        this.policy = new AddressPolicy(settings.allowlist());
        this.tempDir = Path.of(System.getProperty("java.io.tmpdir"));
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .proxy(HttpClient.Builder.NO_PROXY)
                .build();
    }

    /**
     * @param maxBytes the largest page accepted
     * @return the page in a temporary file; the caller closes it
     * @throws ApiProblem 422 for an internal address (of the URL or a redirect), 413 for a page over
     *                    {@code maxBytes}, 415 for a type we do not index, 502 when the page cannot be
     *                    fetched: an error status, too many or broken redirects, an unknown host, no
     *                    connection, the deadline passed
     */
    public FetchedPage fetch(FetchableUrl url, long maxBytes) {
        Instant deadline = Instant.now().plus(settings.timeout());
        AtomicReference<Path> download = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(1);
        Future<FetchedPage> fetch = fetches.submit(() -> {
            try {
                return followRedirects(url, maxBytes, deadline, download);
            } finally {
                finished.countDown();
            }
        });
        try {
            return fetch.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            abandon(fetch, finished, download);
            throw notFetched(url, "it did not arrive within " + settings.timeout().toSeconds() + " seconds");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException problem) {
                throw problem;
            }
            throw new IllegalStateException("fetching " + url + " failed", e.getCause());
        } catch (InterruptedException e) {
            abandon(fetch, finished, download);
            Thread.currentThread().interrupt();
            throw ApiProblem.unavailable("the server is shutting down; retry shortly");
        }
    }

    private FetchedPage followRedirects(FetchableUrl url, long maxBytes, Instant deadline,
                                        AtomicReference<Path> download) throws InterruptedException {
        FetchableUrl hop = url;
        for (int redirects = 0; ; redirects++) {
            checkAddresses(url, hop);
            HttpResponse<InputStream> response = send(url, hop, deadline);
            int status = response.statusCode();
            try (InputStream body = response.body()) {
                if (REDIRECTS.contains(status)) {
                    if (redirects == settings.maxRedirects()) {
                        throw notFetched(url, "it redirects more than " + settings.maxRedirects() + " times");
                    }
                    hop = redirectTarget(url, hop, response);
                    continue;
                }
                if (status != 200) {
                    throw notFetched(url, "the server answered HTTP " + status);
                }
                String mediaType = mediaType(url, response);
                long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                if (declared > maxBytes) {
                    throw tooLarge(maxBytes);
                }
                return download(url, body, mediaType, maxBytes, download);
            } catch (IOException e) {
                // Closing a body we did not read to its end only drops the connection.
                throw notFetched(url, "the connection failed while reading the page");
            }
        }
    }

    private void checkAddresses(FetchableUrl url, FetchableUrl hop) {
        List<InetAddress> addresses;
        try {
            addresses = List.of(InetAddress.getAllByName(hop.host()));
        } catch (UnknownHostException e) {
            throw notFetched(url, "the host '" + hop.host() + "' could not be resolved");
        }
        Optional<InetAddress> refused = policy.firstRefused(hop.host(), addresses);
        if (refused.isPresent()) {
            log.info("Refused to fetch {}: {} is {}", hop, refused.get().getHostAddress(),
                    AddressPolicy.internalRange(refused.get()).orElse("internal"));
            String target = hop == url ? "'" + hop.host() + "'" : "the URL redirects to '" + hop.host() + "', which";
            throw new ApiProblem(422, "Unprocessable Content", target + " is or resolves to an internal address "
                    + "(private, loopback, link-local or reserved); such addresses are not fetched");
        }
    }

    private HttpResponse<InputStream> send(FetchableUrl url, FetchableUrl hop, Instant deadline)
            throws InterruptedException {
        Duration remaining = Duration.between(Instant.now(), deadline);
        if (remaining.isNegative() || remaining.isZero()) {
            throw notFetched(url, "it did not arrive within " + settings.timeout().toSeconds() + " seconds");
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(hop.uri())
                    .GET()
                    .timeout(remaining)
                    .header("Accept", ACCEPT)
                    .header("User-Agent", USER_AGENT)
                    .build();
        } catch (IllegalArgumentException e) {
            throw notFetched(url, "'" + hop + "' cannot be requested: " + e.getMessage());
        }
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw notFetched(url, "no connection to '" + hop.host() + "' within "
                    + settings.connectTimeout().toSeconds() + " seconds");
        } catch (HttpTimeoutException e) {
            throw notFetched(url, "it did not arrive within " + settings.timeout().toSeconds() + " seconds");
        } catch (ConnectException e) {
            throw notFetched(url, "the connection to '" + hop.host() + "' was refused");
        } catch (SSLException e) {
            throw notFetched(url, "the TLS handshake with '" + hop.host() + "' failed");
        } catch (IOException e) {
            log.info("Fetching {} failed: {}", hop, e.toString());
            throw notFetched(url, "the connection to '" + hop.host() + "' failed");
        }
    }

    private static FetchableUrl redirectTarget(FetchableUrl url, FetchableUrl hop, HttpResponse<?> response) {
        String location = response.headers().firstValue("Location")
                .orElseThrow(() -> notFetched(url, "it answered a redirect without a Location"));
        try {
            return FetchableUrl.of(hop.uri().resolve(new URI(location.strip())));
        } catch (URISyntaxException | InvalidUrlException e) {
            String why = e instanceof InvalidUrlException ? ": " + e.getMessage() : "";
            throw notFetched(url, "it redirects to a URL that is not fetched" + why);
        }
    }

    private static String mediaType(FetchableUrl url, HttpResponse<?> response) {
        String declared = response.headers().firstValue("Content-Type").orElse("");
        String mediaType = declared.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!FETCHED_TYPES.contains(mediaType)) {
            throw ApiProblem.unsupportedMediaType((mediaType.isEmpty() ? "the page at " + url + " declares no type"
                    : "the page at " + url + " is " + mediaType) + "; we fetch PDF, HTML, Markdown and plain text ("
                    + "application/pdf, text/html, text/markdown, text/plain)");
        }
        return mediaType;
    }

    private FetchedPage download(FetchableUrl url, InputStream body, String mediaType, long maxBytes,
                                 AtomicReference<Path> download) throws IOException {
        Path file = Files.createTempFile(tempDir, "dynrag-url-", ".part");
        download.set(file);
        boolean complete = false;
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = body.read(buffer)) != -1) {
                total += read;
                if (total > maxBytes) {
                    throw tooLarge(maxBytes);
                }
                out.write(buffer, 0, read);
            }
            complete = true;
            return new FetchedPage(url.name(), mediaType, file, total);
        } finally {
            if (!complete) {
                deleteQuietly(file);
            }
        }
    }

    /** Interrupting the fetch closes its connection; whatever it downloaded is deleted once it stopped. */
    private static void abandon(Future<FetchedPage> fetch, CountDownLatch finished, AtomicReference<Path> download) {
        fetch.cancel(true);
        try {
            if (!finished.await(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("An abandoned URL fetch did not stop within {}", STOP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Optional.ofNullable(download.get()).ifPresent(PageFetcher::deleteQuietly);
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("Could not delete the temporary file {}: {}", file, e.toString());
        }
    }

    private static ApiProblem tooLarge(long maxBytes) {
        return ApiProblem.tooLarge("the page is larger than your limit of " + maxBytes + " bytes");
    }

    private static ApiProblem notFetched(FetchableUrl url, String why) {
        return new ApiProblem(502, "Bad Gateway", url + " could not be fetched: " + why);
    }

    @Override
    public void close() {
        fetches.shutdownNow();
        http.shutdownNow();
    }
}
