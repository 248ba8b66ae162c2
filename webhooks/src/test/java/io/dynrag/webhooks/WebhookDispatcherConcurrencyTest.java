package io.dynrag.webhooks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Several API instances dispatch from one database: every due delivery is sent exactly once. */
class WebhookDispatcherConcurrencyTest {

    private static final int WEBHOOKS = 3;
    private static final int EVENTS = 40;

    private final WebhookFixture fixture = new WebhookFixture(WebhookSettings.DEFAULTS, new Random(11));
    private final TestReceiver receiver = new TestReceiver().delayEachAnswer(Duration.ofMillis(15));
    private final List<WebhookDispatcher> dispatchers = List.of(
            fixture.dispatcher(WebhookFixture.LOOPBACK_ALLOWED), fixture.dispatcher(WebhookFixture.LOOPBACK_ALLOWED));

    @AfterEach
    void stop() {
        dispatchers.forEach(WebhookDispatcher::close);
        receiver.close();
    }

    @Test
    void twoRunningDispatchersSendEachDueDeliveryOnce() throws Exception {
        List<UUID> webhookIds = new ArrayList<>();
        for (int i = 0; i < WEBHOOKS; i++) {
            webhookIds.add(fixture.webhook("cust-a", receiver.url("/hooks/" + i), WebhookEventType.DOCUMENT_INDEXED)
                    .webhook().webhookId());
        }
        for (int i = 0; i < EVENTS; i++) {
            fixture.deliveries.enqueue(fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED));
        }

        dispatchers.forEach(WebhookDispatcher::start);
        awaitNothingPending();

        Map<String, Long> requestsPerDelivery = receiver.received().stream()
                .collect(Collectors.groupingBy(request -> request.header("Webhook-Id"), Collectors.counting()));
        assertThat(requestsPerDelivery).hasSize(WEBHOOKS * EVENTS);
        assertThat(requestsPerDelivery.values()).containsOnly(1L);
        for (UUID webhookId : webhookIds) {
            assertThat(fixture.log(webhookId)).hasSize(EVENTS).allSatisfy(delivery -> {
                assertThat(delivery.status()).isEqualTo(WebhookDeliveries.Status.DELIVERED);
                assertThat(delivery.attempts()).isEqualTo(1);
            });
        }
    }

    @Test
    void twoDispatchersClaimingAtOnceNeverShareADelivery() throws Exception {
        UUID webhookId = fixture.webhook("cust-a", receiver.url("/hooks"), WebhookEventType.DOCUMENT_INDEXED)
                .webhook().webhookId();
        for (int i = 0; i < EVENTS * 2; i++) {
            fixture.deliveries.enqueue(fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED));
        }

        // Each dispatcher claims a round of up to 32 at a time, as fast as it can, until nothing is due.
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> attempts = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(dispatchers.size())) {
            for (WebhookDispatcher dispatcher : dispatchers) {
                attempts.add(threads.submit(() -> {
                    start.await();
                    int made = 0;
                    for (int round = dispatcher.dispatchDue(); round > 0; round = dispatcher.dispatchDue()) {
                        made += round;
                    }
                    return made;
                }));
            }
            start.countDown();
        }

        assertThat(attempts.get(0).get() + attempts.get(1).get()).isEqualTo(EVENTS * 2);
        assertThat(attempts.get(0).get()).as("both dispatchers took part").isPositive();
        assertThat(attempts.get(1).get()).as("both dispatchers took part").isPositive();
        assertThat(receiver.received()).extracting(request -> request.header("Webhook-Id"))
                .hasSize(EVENTS * 2).doesNotHaveDuplicates();
        assertThat(fixture.deliveries.page(webhookId, null, 100)).hasSize(EVENTS * 2)
                .allSatisfy(delivery -> assertThat(delivery.attempts()).isEqualTo(1));
    }

    private void awaitNothingPending() throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (pending() > 0) {
            assertThat(Instant.now()).as("deliveries still pending").isBefore(deadline);
            Thread.sleep(50);
        }
    }

    private long pending() {
        return fixture.database.queryOne("SELECT count(*) FROM webhook_delivery WHERE status = 'PENDING'", Long.class);
    }
}
