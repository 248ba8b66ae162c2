package io.dynrag.api.document.url;

import io.dynrag.platform.outbound.AddressPolicy;
import io.dynrag.platform.outbound.FetchableUrl;
import io.dynrag.platform.outbound.GuardedHttpClient;
import io.dynrag.platform.outbound.HostResolver;
import io.dynrag.platform.outbound.InvalidUrlException;
import io.dynrag.platform.outbound.RefusedAddressException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
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
 * must: every hop (the URL and each redirect, followed here, never by the client) connects only to
 * addresses {@link AddressPolicy} vetted for its host (see {@link GuardedHttpClient}); the whole fetch
 * has one deadline; the body is counted while it streams and the connection is dropped as soon as it
 * is too large or of a type we do not index.
 *
 * <p>What went wrong is told only as far as it is the page's business: an address refused by the
 * policy (nothing was sent), a host that does not resolve, the status the server answered, the
 * deadline. Every other failure to connect (refused, timed out, unreachable, TLS) gets the same
 * detail, so a URL cannot be used to tell a closed port from a filtered one; the log has the cause.
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
    private final Path tempDir;
    private final GuardedHttpClient http;
    private final ExecutorService fetches = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("url-fetch-", 0).factory());

    public PageFetcher(UrlFetchSettings settings) {
        this(settings, HostResolver.SYSTEM);
    }

    /** @param resolver how host names are resolved: the system's, or a test's stand-in for DNS */
    PageFetcher(UrlFetchSettings settings, HostResolver resolver) {
        this.settings = settings;
        this.tempDir = Path.of(System.getProperty("java.io.tmpdir"));
        this.http = new GuardedHttpClient(new AddressPolicy(settings.allowlist(), resolver),
                settings.connectTimeout());
    }

    /**
     * @param maxBytes the largest page accepted
     * @return the page in a temporary file; the caller closes it
     * @throws PageAddressRefusedException  for an internal address (of the URL or a redirect)
     * @throws PageTooLargeException        for a page over {@code maxBytes}
     * @throws UnsupportedPageTypeException for a type we do not index
     * @throws PageNotFetchedException      when the page cannot be fetched: an error status, too many or broken
     *                                      redirects, an unknown host, no connection, the deadline passed
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
            throw deadlinePassed(url);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException problem) {
                throw problem;
            }
            throw new IllegalStateException("fetching " + url + " failed", e.getCause());
        } catch (InterruptedException e) {
            abandon(fetch, finished, download);
            Thread.currentThread().interrupt();
            throw new FetchInterruptedException();
        }
    }

    private FetchedPage followRedirects(FetchableUrl url, long maxBytes, Instant deadline,
                                        AtomicReference<Path> download) {
        FetchableUrl hop = url;
        for (int redirects = 0; ; redirects++) {
            try (GuardedHttpClient.Response response = send(url, hop, deadline)) {
                int status = response.status();
                if (REDIRECTS.contains(status)) {
                    if (redirects == settings.maxRedirects()) {
                        throw notFetched(url, "it redirects more than " + settings.maxRedirects() + " times");
                    }
                    hop = redirectTarget(url, hop, response);
                    continue;
                }
                // The status can only come from an address the policy let us reach: public, or allowlisted.
                if (status != 200) {
                    throw notFetched(url, "the server answered HTTP " + status);
                }
                String mediaType = mediaType(url, response);
                if (declaredLength(response) > maxBytes) {
                    throw tooLarge(maxBytes);
                }
                return download(url, response.body(), mediaType, maxBytes, download);
            } catch (GuardedHttpClient.ExchangeTimeoutException e) {
                throw deadlinePassed(url);
            } catch (IOException e) {
                log.info("Reading {} failed: {}", hop, e.toString());
                throw notFetched(url, "the connection failed while reading the page");
            }
        }
    }

    private GuardedHttpClient.Response send(FetchableUrl url, FetchableUrl hop, Instant deadline) {
        Duration remaining = Duration.between(Instant.now(), deadline);
        if (remaining.isNegative() || remaining.isZero()) {
            throw deadlinePassed(url);
        }
        try {
            return http.send(GuardedHttpClient.Request.get(hop.uri(),
                    Map.of("Accept", ACCEPT, "User-Agent", USER_AGENT), remaining));
        } catch (RefusedAddressException e) {
            String target = hop == url ? "'" + hop.host() + "'" : "the URL redirects to '" + hop.host() + "', which";
            throw new PageAddressRefusedException(target + " is or resolves to an internal address (private, "
                    + "loopback, link-local or reserved); such addresses are not fetched");
        } catch (UnknownHostException e) {
            throw notFetched(url, "the host '" + hop.host() + "' could not be resolved");
        } catch (GuardedHttpClient.ExchangeTimeoutException e) {
            throw deadlinePassed(url);
        } catch (IOException e) {
            log.info("Fetching {} failed: {}", hop, e.toString());
            throw notFetched(url, GuardedHttpClient.unreachable(hop.host()));
        } catch (IllegalArgumentException e) {
            throw notFetched(url, "'" + hop + "' cannot be requested: " + e.getMessage());
        }
    }

    private static long declaredLength(GuardedHttpClient.Response response) {
        try {
            return response.header("Content-Length").map(value -> Long.parseLong(value.strip())).orElse(-1L);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static FetchableUrl redirectTarget(FetchableUrl url, FetchableUrl hop,
                                               GuardedHttpClient.Response response) {
        String location = response.header("Location")
                .orElseThrow(() -> notFetched(url, "it answered a redirect without a Location"));
        try {
            return FetchableUrl.of(hop.uri().resolve(new URI(location.strip())));
        } catch (URISyntaxException | InvalidUrlException e) {
            String why = e instanceof InvalidUrlException ? ": " + e.getMessage() : "";
            throw notFetched(url, "it redirects to a URL that is not fetched" + why);
        }
    }

    private static String mediaType(FetchableUrl url, GuardedHttpClient.Response response) {
        String declared = response.header("Content-Type").orElse("");
        String mediaType = declared.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!FETCHED_TYPES.contains(mediaType)) {
            throw new UnsupportedPageTypeException((mediaType.isEmpty() ? "the page at " + url + " declares no type"
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

    private static PageTooLargeException tooLarge(long maxBytes) {
        return new PageTooLargeException(maxBytes);
    }

    private PageNotFetchedException deadlinePassed(FetchableUrl url) {
        return notFetched(url, "it did not arrive within " + settings.timeout().toSeconds() + " seconds");
    }

    private static PageNotFetchedException notFetched(FetchableUrl url, String why) {
        return new PageNotFetchedException(url, why);
    }

    @Override
    public void close() {
        fetches.shutdownNow();
        http.close();
    }
}
