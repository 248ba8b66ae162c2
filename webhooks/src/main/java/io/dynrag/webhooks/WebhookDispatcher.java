package io.dynrag.webhooks;

import io.dynrag.platform.crypto.DecryptionFailedException;
import io.dynrag.platform.outbound.AddressPolicy;
import io.dynrag.platform.outbound.FetchableUrl;
import io.dynrag.platform.outbound.GuardedHttpClient;
import io.dynrag.platform.outbound.InvalidUrlException;
import io.dynrag.platform.outbound.RefusedAddressException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Sends due webhook deliveries: claims them (see {@link WebhookDeliveries}), signs them with the headers of
 * Standard Webhooks ({@link WebhookSignature}) and POSTs each body through a {@link GuardedHttpClient}, which
 * connects only to addresses the same policy as URL ingest vetted at that moment (a host may resolve somewhere
 * else by now), and records what the receiver answered. Redirects are not followed: a receiver must answer
 * itself. A failure to connect is recorded with one detail whatever its cause, so the delivery log cannot tell a
 * closed port from a filtered one.
 * Every API instance runs one; the claims keep them from sending a delivery twice at the same time.
 */
public final class WebhookDispatcher implements AutoCloseable {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final String USER_AGENT = "DynamicRAG-Webhooks/1.0";
    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final int MAX_IN_FLIGHT = 32;
    /** How often the database is asked for due deliveries when nothing wakes the dispatcher earlier. */
    private static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

    private final Webhooks webhooks;
    private final WebhookDeliveries deliveries;
    private final Clock clock;
    private final GuardedHttpClient http;
    private final ExecutorService senders = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("webhook-send-", 0).factory());
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final Semaphore work = new Semaphore(0);
    private final Thread loop;
    private volatile boolean running = true;

    public WebhookDispatcher(Webhooks webhooks, WebhookDeliveries deliveries, AddressPolicy policy, Clock clock) {
        this.webhooks = webhooks;
        this.deliveries = deliveries;
        this.clock = clock;
        this.http = new GuardedHttpClient(policy, CONNECT_TIMEOUT);
        this.loop = Thread.ofPlatform().name("webhook-dispatcher").daemon().unstarted(this::run);
    }

    public void start() {
        loop.start();
    }

    public boolean isRunning() {
        return running && loop.isAlive();
    }

    /** New deliveries are due: look now instead of at the next poll. */
    public void wakeUp() {
        if (work.availablePermits() == 0) {
            work.release();
        }
    }

    /**
     * Claims what is due now and attempts it, waiting until every attempt is recorded. The running dispatcher
     * does the same continuously; this one-off round lets a test drive the dispatcher step by step.
     *
     * @return the attempts made
     */
    int dispatchDue() throws InterruptedException {
        List<Future<?>> attempts = new ArrayList<>();
        for (WebhookDeliveries.Claimed claimed : deliveries.claimDue(MAX_IN_FLIGHT)) {
            attempts.add(senders.submit(() -> attempt(claimed)));
        }
        for (Future<?> attempt : attempts) {
            try {
                attempt.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("a delivery attempt failed unexpectedly", e.getCause());
            }
        }
        return attempts.size();
    }

    private void run() {
        while (running) {
            try {
                int free = inFlight.availablePermits();
                List<WebhookDeliveries.Claimed> claimed = free == 0 ? List.of() : deliveries.claimDue(free);
                for (WebhookDeliveries.Claimed delivery : claimed) {
                    inFlight.acquire();
                    senders.execute(() -> {
                        try {
                            attempt(delivery);
                        } finally {
                            inFlight.release();
                            wakeUp();
                        }
                    });
                }
                if (claimed.size() < free || free == 0) {
                    awaitWork();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("Claiming webhook deliveries failed; retrying shortly: {}", e.toString());
                sleepQuietly();
            }
        }
    }

    private void awaitWork() throws InterruptedException {
        if (work.tryAcquire(POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) {
            work.drainPermits();
        }
    }

    /** Failures to record are only logged: the lease runs out and the delivery is attempted again. */
    private void attempt(WebhookDeliveries.Claimed claimed) {
        try {
            Optional<Webhooks.Target> target;
            try {
                target = webhooks.target(claimed.webhookId());
            } catch (DecryptionFailedException e) {
                log.error("The secret of webhook {} cannot be opened: {}", claimed.webhookId(), e.getMessage());
                deliveries.recordFailed(claimed, null, "the signing secret could not be opened; nothing was sent "
                        + "(rotate the secret to repair it)");
                return;
            }
            if (target.isEmpty()) {
                return;
            }
            if (!target.get().enabled()) {
                deliveries.recordUndeliverable(claimed, "the webhook is disabled");
                return;
            }
            Answer answer = send(target.get(), claimed);
            if (answer.delivered()) {
                deliveries.recordDelivered(claimed, answer.statusCode());
                return;
            }
            WebhookDeliveries.FailureOutcome outcome = deliveries.recordFailed(claimed, answer.statusCode(),
                    answer.error());
            if (outcome == WebhookDeliveries.FailureOutcome.FAILED_AND_WEBHOOK_DISABLED) {
                log.warn("Disabled webhook {}: its endpoint failed every delivery; the last: {}", claimed.webhookId(),
                        answer.error());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("Recording the attempt of webhook delivery {} failed; it is attempted again once its lease is "
                    + "over: {}", claimed.deliveryId(), e.toString());
        }
    }

    /** @param statusCode the receiver's status, null without an answer */
    private record Answer(Integer statusCode, String error) {

        boolean delivered() {
            return statusCode != null && statusCode >= 200 && statusCode < 300;
        }
    }

    private Answer send(Webhooks.Target target, WebhookDeliveries.Claimed claimed) throws InterruptedException {
        FetchableUrl url;
        try {
            url = FetchableUrl.parse(target.url());
        } catch (InvalidUrlException e) {
            return new Answer(null, e.getMessage());
        }
        String id = claimed.deliveryId().toString();
        long timestamp = clock.instant().getEpochSecond();
        Map<String, String> headers = Map.of(
                "Content-Type", "application/json",
                "User-Agent", USER_AGENT,
                "webhook-id", id,
                "webhook-timestamp", Long.toString(timestamp),
                "webhook-signature", WebhookSignature.header(target.secrets(), id, timestamp, claimed.body()));
        GuardedHttpClient.Request request = GuardedHttpClient.Request.post(url.uri(), headers,
                claimed.body().getBytes(StandardCharsets.UTF_8), TIMEOUT);
        // The body is of no interest; closing the response unread drops the connection instead of waiting for it.
        try (GuardedHttpClient.Response response = http.send(request)) {
            int status = response.status();
            if (status >= 300 && status < 400) {
                return new Answer(status, "HTTP " + status + ": redirects are not followed");
            }
            return new Answer(status, "HTTP " + status);
        } catch (RefusedAddressException e) {
            return new Answer(null, e.getMessage() + "; nothing was sent");
        } catch (UnknownHostException e) {
            return new Answer(null, "the host '" + url.host() + "' could not be resolved; nothing was sent");
        } catch (GuardedHttpClient.ExchangeTimeoutException e) {
            return new Answer(null, "no answer within " + TIMEOUT.toSeconds() + " seconds");
        } catch (IllegalArgumentException e) {
            return new Answer(null, "'" + url + "' cannot be requested: " + e.getMessage());
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                // Closing the dispatcher cut the attempt short: not the receiver's failure, and sent again later.
                throw new InterruptedException("the attempt of delivery " + claimed.deliveryId() + " was cut short");
            }
            log.info("Webhook delivery {} to {} failed: {}", claimed.deliveryId(), url, e.toString());
            return new Answer(null, GuardedHttpClient.unreachable(url.host()));
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(POLL_INTERVAL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        loop.interrupt();
        try {
            if (loop.getState() != Thread.State.NEW) {
                loop.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Attempts cut short are not recorded: their leases run out and they are sent again (at least once).
        senders.shutdownNow();
        http.close();
    }
}
