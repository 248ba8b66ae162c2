package io.dynrag.webhooks;

import com.sun.net.httpserver.HttpExchange;
import io.dynrag.platform.crypto.Secrets;
import io.dynrag.platform.outbound.AddressAllowlist;
import io.dynrag.platform.outbound.AddressPolicy;
import io.dynrag.platform.outbound.GuardedHttpClient;
import io.dynrag.platform.outbound.NetworkFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The delivery state machine against the real database and a real receiver, with a clock the test moves
 * and delays always at their ceiling (30 s, 1 min, 2 min, … an hour), so every attempt is predictable.
 */
class WebhookDispatcherTest {

    private final WebhookFixture fixture = new WebhookFixture(WebhookSettings.DEFAULTS,
            WebhookRetryScheduleTest.alwaysTheCeiling());
    private final TestReceiver receiver = new TestReceiver();
    private final WebhookDispatcher dispatcher = fixture.dispatcher(WebhookFixture.LOOPBACK_ALLOWED);
    private final Webhooks.Created webhook = fixture.webhook("cust-a", receiver.url("/hooks"),
            WebhookEventType.DOCUMENT_INDEXED, WebhookEventType.DOCUMENT_FAILED);
    private final UUID webhookId = webhook.webhook().webhookId();

    @AfterEach
    void stop() {
        dispatcher.close();
        receiver.close();
    }

    @Test
    void aDueDeliveryIsPostedSignedAndLoggedAsDelivered() throws Exception {
        WebhookEvent event = fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED);
        fixture.deliveries.enqueue(event);

        assertThat(dispatcher.dispatchDue()).isEqualTo(1);

        TestReceiver.Received request = receiver.received().getFirst();
        UUID deliveryId = WebhookDeliveries.deliveryId(webhookId, event.eventId());
        assertThat(request.path()).isEqualTo("/hooks");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("User-Agent")).isEqualTo(WebhookDispatcher.USER_AGENT);
        assertThat(request.header("Webhook-Id")).isEqualTo(deliveryId.toString());
        assertThat(request.header("Webhook-Timestamp")).isEqualTo(Long.toString(fixture.now().getEpochSecond()));
        assertThat(request.body()).startsWith("{\"id\":\"" + deliveryId + "\",\"type\":\"document.indexed\"");
        assertThat(StandardVerification.verifies(webhook.secret(), request.body(), request.headers()))
                .as("the reference implementation of Standard Webhooks accepts the delivery").isTrue();
        assertThat(ReceiverVerification.verify(webhook.secret(), request.header("Webhook-Id"),
                request.header("Webhook-Timestamp"), request.body(), request.header("Webhook-Signature"),
                fixture.now())).as("so does a receiver of the deprecated scheme").isTrue();

        WebhookDeliveries.Delivery delivered = fixture.delivery(webhookId, event.eventId());
        assertThat(delivered.status()).isEqualTo(WebhookDeliveries.Status.DELIVERED);
        assertThat(delivered.attempts()).isEqualTo(1);
        assertThat(delivered.lastStatusCode()).isEqualTo(200);
        assertThat(delivered.lastError()).isNull();
        assertThat(delivered.deliveredAt()).isEqualTo(fixture.now());
        assertThat(delivered.nextAttemptAt()).isNull();
        assertThat(dispatcher.dispatchDue()).as("delivered once").isZero();
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void aFailedAttemptIsRetriedWithBackoffUntilTheReceiverAccepts() throws Exception {
        receiver.answer(500, 503);
        WebhookEvent event = fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED);
        fixture.deliveries.enqueue(event);

        dispatcher.dispatchDue();

        WebhookDeliveries.Delivery first = fixture.delivery(webhookId, event.eventId());
        assertThat(first.status()).isEqualTo(WebhookDeliveries.Status.PENDING);
        assertThat(first.attempts()).isEqualTo(1);
        assertThat(first.lastStatusCode()).isEqualTo(500);
        assertThat(first.lastError()).isEqualTo("HTTP 500");
        assertThat(first.nextAttemptAt()).isEqualTo(fixture.now().plusSeconds(30));
        fixture.clock.advance(Duration.ofSeconds(29));
        assertThat(dispatcher.dispatchDue()).as("not due yet").isZero();

        fixture.clock.advance(Duration.ofSeconds(1));
        assertThat(dispatcher.dispatchDue()).isEqualTo(1);
        WebhookDeliveries.Delivery second = fixture.delivery(webhookId, event.eventId());
        assertThat(second.lastStatusCode()).isEqualTo(503);
        assertThat(second.nextAttemptAt()).isEqualTo(fixture.now().plusSeconds(60));

        fixture.clock.advance(Duration.ofSeconds(60));
        assertThat(dispatcher.dispatchDue()).isEqualTo(1);
        WebhookDeliveries.Delivery delivered = fixture.delivery(webhookId, event.eventId());
        assertThat(delivered.status()).isEqualTo(WebhookDeliveries.Status.DELIVERED);
        assertThat(delivered.attempts()).isEqualTo(3);
        assertThat(delivered.lastStatusCode()).isEqualTo(200);
        assertThat(delivered.lastError()).isNull();
        assertThat(receiver.received()).extracting(TestReceiver.Received::body).containsOnly(
                receiver.received().getFirst().body());
        assertThat(receiver.received()).extracting(request -> request.header("Webhook-Id")).containsOnly(
                delivered.deliveryId().toString());
    }

    @Test
    void anEndpointThatFailsEverythingForTheWholeWindowGetsItsWebhookDisabled() throws Exception {
        receiver.answerFromNowOn(500);
        WebhookEvent first = fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED);
        fixture.deliveries.enqueue(first);
        fixture.clock.advance(Duration.ofHours(2));
        WebhookEvent second = fixture.event("cust-a", WebhookEventType.DOCUMENT_FAILED);
        fixture.deliveries.enqueue(second);

        for (int halfHour = 0; halfHour < 60; halfHour++) {
            dispatcher.dispatchDue();
            fixture.clock.advance(Duration.ofMinutes(30));
        }

        WebhookDeliveries.Delivery failed = fixture.delivery(webhookId, first.eventId());
        assertThat(failed.status()).isEqualTo(WebhookDeliveries.Status.FAILED);
        assertThat(failed.attempts()).isGreaterThan(20);
        assertThat(failed.lastAttemptAt()).isBeforeOrEqualTo(failed.createdAt().plus(Duration.ofHours(24)));
        assertThat(failed.nextAttemptAt()).isNull();
        Webhooks.Webhook disabled = fixture.webhooks.find("cust-a", webhookId).orElseThrow();
        assertThat(disabled.enabled()).isFalse();
        assertThat(disabled.disabledReason()).contains("Disabled automatically", "24 hours", "HTTP 500",
                failed.deliveryId().toString(), "PUT {\"enabled\": true}");
        WebhookDeliveries.Delivery cutShort = fixture.delivery(webhookId, second.eventId());
        assertThat(cutShort.status()).isEqualTo(WebhookDeliveries.Status.FAILED);
        assertThat(cutShort.lastError()).contains("disabled");
        int requests = receiver.received().size();
        fixture.clock.advance(Duration.ofHours(1));
        assertThat(fixture.deliveries.enqueue(fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED))).isZero();
        assertThat(dispatcher.dispatchDue()).isZero();
        assertThat(receiver.received()).hasSize(requests);

        receiver.answerFromNowOn(204);
        Webhooks.Webhook enabled = fixture.webhooks.update("cust-a", webhookId,
                new Webhooks.Change(null, null, null, true)).orElseThrow();
        assertThat(enabled.enabled()).isTrue();
        assertThat(enabled.disabledReason()).isNull();
        WebhookEvent afterRepair = fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED);
        fixture.deliveries.enqueue(afterRepair);
        dispatcher.dispatchDue();
        assertThat(fixture.delivery(webhookId, afterRepair.eventId()).status())
                .isEqualTo(WebhookDeliveries.Status.DELIVERED);
    }

    @Test
    void aWebhookWhoseEndpointStillAcceptsSomeDeliveriesStaysEnabled() throws Exception {
        // The receiver refuses failures reports but takes everything else.
        receiver.answerFromNowOn(request -> request.body().contains("document.failed") ? 500 : 200);
        WebhookEvent refused = fixture.event("cust-a", WebhookEventType.DOCUMENT_FAILED);
        fixture.deliveries.enqueue(refused);
        dispatcher.dispatchDue();
        fixture.clock.advance(Duration.ofHours(3));
        fixture.deliveries.enqueue(fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED));

        for (int hour = 0; hour < 26; hour++) {
            dispatcher.dispatchDue();
            fixture.clock.advance(Duration.ofHours(1));
        }

        assertThat(fixture.delivery(webhookId, refused.eventId()).status()).isEqualTo(WebhookDeliveries.Status.FAILED);
        Webhooks.Webhook stillOn = fixture.webhooks.find("cust-a", webhookId).orElseThrow();
        assertThat(stillOn.enabled()).isTrue();
        assertThat(stillOn.disabledReason()).isNull();
    }

    @Test
    void redirectsAreNotFollowed() throws Exception {
        receiver.answer(302);
        WebhookEvent event = fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED);
        fixture.deliveries.enqueue(event);

        dispatcher.dispatchDue();

        WebhookDeliveries.Delivery delivery = fixture.delivery(webhookId, event.eventId());
        assertThat(delivery.status()).isEqualTo(WebhookDeliveries.Status.PENDING);
        assertThat(delivery.lastStatusCode()).isEqualTo(302);
        assertThat(delivery.lastError()).isEqualTo("HTTP 302: redirects are not followed");
        assertThat(receiver.received()).extracting(TestReceiver.Received::path).containsExactly("/hooks");
    }

    @Test
    void theAddressPolicyIsCheckedAgainAtEveryDelivery() throws Exception {
        WebhookEvent event = fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED);
        fixture.deliveries.enqueue(event);

        try (WebhookDispatcher strict = fixture.dispatcher(new AddressPolicy(AddressAllowlist.NONE))) {
            assertThat(strict.dispatchDue()).isEqualTo(1);
        }

        assertThat(receiver.received()).as("nothing reaches a loopback address the policy refuses").isEmpty();
        WebhookDeliveries.Delivery refused = fixture.delivery(webhookId, event.eventId());
        assertThat(refused.status()).isEqualTo(WebhookDeliveries.Status.PENDING);
        assertThat(refused.attempts()).isEqualTo(1);
        assertThat(refused.lastStatusCode()).isNull();
        assertThat(refused.lastError()).isEqualTo("the host '127.0.0.1' is or resolves to an internal address; "
                + "nothing was sent");
    }

    @Test
    void aReceiverNameThatSwitchesToAnInternalAddressAfterTheCheckIsPostedToTheCheckedAddress() throws Exception {
        List<String> reachedVetted = new CopyOnWriteArrayList<>();
        List<String> reachedInternal = new CopyOnWriteArrayList<>();
        NetworkFixtures.RebindingResolver dns = new NetworkFixtures.RebindingResolver(NetworkFixtures.VETTED,
                NetworkFixtures.INTERNAL);
        try (NetworkFixtures.TwoServers servers = NetworkFixtures.twoServersOnOnePort(
                exchange -> accept(exchange, reachedVetted), exchange -> accept(exchange, reachedInternal))) {
            UUID rebinding = fixture.webhook("cust-b", "http://hooks.rebind.test:" + servers.port() + "/hooks",
                    WebhookEventType.DOCUMENT_INDEXED).webhook().webhookId();
            WebhookEvent event = fixture.event("cust-b", WebhookEventType.DOCUMENT_INDEXED);
            fixture.deliveries.enqueue(event);

            try (WebhookDispatcher guarded = fixture.dispatcher(
                    new AddressPolicy(AddressAllowlist.parse("127.0.0.2"), dns))) {
                assertThat(guarded.dispatchDue()).isEqualTo(1);
            }

            assertThat(fixture.delivery(rebinding, event.eventId()).status())
                    .isEqualTo(WebhookDeliveries.Status.DELIVERED);
        }
        assertThat(reachedVetted).containsExactly("/hooks");
        assertThat(reachedInternal).as("the internal service saw nothing").isEmpty();
        assertThat(dns.lookups("hooks.rebind.test")).as("one lookup, checked and connected to").isEqualTo(1);
    }

    @Test
    void everyWayAConnectionFailsIsLoggedWithTheSameErrorSoNoneTellsAPortsState() throws Exception {
        try (NetworkFixtures.FilteredPort filtered = new NetworkFixtures.FilteredPort();
             NetworkFixtures.HangUpPort hangUp = new NetworkFixtures.HangUpPort()) {
            Map<String, String> urls = Map.of(
                    "cust-refused", "http://127.0.0.1:" + NetworkFixtures.closedPort() + "/hooks",
                    "cust-timed-out", "http://127.0.0.1:" + filtered.port() + "/hooks",
                    "cust-hung-up", "http://127.0.0.1:" + hangUp.port() + "/hooks",
                    "cust-plain-http", receiver.url("/hooks").replace("http:", "https:"));
            Map<String, UUID> webhooks = new HashMap<>();
            Map<String, String> events = new HashMap<>();
            urls.forEach((customer, url) -> {
                webhooks.put(customer, fixture.webhook(customer, url, WebhookEventType.DOCUMENT_INDEXED).webhook()
                        .webhookId());
                WebhookEvent event = fixture.event(customer, WebhookEventType.DOCUMENT_INDEXED);
                events.put(customer, event.eventId());
                fixture.deliveries.enqueue(event);
            });

            assertThat(dispatcher.dispatchDue()).isEqualTo(4);

            urls.keySet().forEach(customer -> {
                WebhookDeliveries.Delivery failed = fixture.delivery(webhooks.get(customer), events.get(customer));
                assertThat(failed.status()).as(customer).isEqualTo(WebhookDeliveries.Status.PENDING);
                assertThat(failed.lastStatusCode()).as(customer).isNull();
                assertThat(failed.lastError()).as(customer).isEqualTo(GuardedHttpClient.unreachable("127.0.0.1"));
            });
        }
    }

    private static void accept(HttpExchange exchange, List<String> reached) throws IOException {
        reached.add(exchange.getRequestURI().getPath());
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }

    @Test
    void aClaimWhoseDispatcherDiedIsAttemptedAgainOnceItsLeaseIsOver() throws Exception {
        WebhookEvent event = fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED);
        fixture.deliveries.enqueue(event);
        List<WebhookDeliveries.Claimed> abandoned = fixture.deliveries.claimDue(10);
        assertThat(abandoned).hasSize(1);

        assertThat(dispatcher.dispatchDue()).as("claimed by another dispatcher").isZero();
        fixture.clock.advance(WebhookDeliveries.LEASE);
        assertThat(dispatcher.dispatchDue()).isEqualTo(1);

        assertThat(fixture.delivery(webhookId, event.eventId()).status()).isEqualTo(WebhookDeliveries.Status.DELIVERED);
        assertThat(fixture.deliveries.recordFailed(abandoned.getFirst(), 500, "HTTP 500"))
                .isEqualTo(WebhookDeliveries.FailureOutcome.LEASE_LOST);
        assertThat(fixture.deliveries.recordDelivered(abandoned.getFirst(), 200)).isFalse();
        WebhookDeliveries.Delivery unchanged = fixture.delivery(webhookId, event.eventId());
        assertThat(unchanged.status()).isEqualTo(WebhookDeliveries.Status.DELIVERED);
        assertThat(unchanged.attempts()).isEqualTo(1);
    }

    @Test
    void aDeliveryOfAWebhookSwitchedOffMeanwhileIsNotSent() throws Exception {
        WebhookEvent event = fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED);
        fixture.deliveries.enqueue(event);
        // Switched off without failing the pending deliveries, as a change racing the intake would leave it.
        fixture.database.queryOne("UPDATE webhook SET enabled = FALSE WHERE webhook_id = ? RETURNING 1",
                Integer.class, webhookId);

        assertThat(dispatcher.dispatchDue()).isEqualTo(1);

        assertThat(receiver.received()).isEmpty();
        WebhookDeliveries.Delivery delivery = fixture.delivery(webhookId, event.eventId());
        assertThat(delivery.status()).isEqualTo(WebhookDeliveries.Status.FAILED);
        assertThat(delivery.attempts()).isZero();
        assertThat(delivery.lastError()).isEqualTo("the webhook is disabled");
    }

    @Test
    void afterARotationDeliveriesAreSignedWithBothSecretsForADay() throws Exception {
        String rotated = fixture.webhooks.rotateSecret("cust-a", webhookId).orElseThrow();
        fixture.deliveries.enqueue(fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED));
        dispatcher.dispatchDue();
        fixture.clock.advance(Webhooks.PREVIOUS_SECRET_GRACE);
        fixture.deliveries.enqueue(fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED));
        dispatcher.dispatchDue();

        TestReceiver.Received duringGrace = receiver.received().get(0);
        TestReceiver.Received afterGrace = receiver.received().get(1);
        assertThat(duringGrace.header("Webhook-Signature").split(" ")).as("two standard, two deprecated").hasSize(4);
        assertThat(StandardVerification.verifies(webhook.secret(), duringGrace.body(), duringGrace.headers())).isTrue();
        assertThat(StandardVerification.verifies(rotated, duringGrace.body(), duringGrace.headers())).isTrue();
        assertThat(verifies(webhook.secret(), duringGrace)).isTrue();
        assertThat(verifies(rotated, duringGrace)).isTrue();
        // Signed a day ahead on the test's clock: the reference implementation's own signature, compared.
        assertThat(afterGrace.header("Webhook-Signature").split(" ")).hasSize(2);
        assertThat(signedWith(rotated, afterGrace)).isTrue();
        assertThat(signedWith(webhook.secret(), afterGrace)).isFalse();
        assertThat(verifies(rotated, afterGrace)).isTrue();
        assertThat(verifies(webhook.secret(), afterGrace)).isFalse();
    }

    @Test
    void aSecretMadeBeforeTheStandardStillSignsBothWays() throws Exception {
        String earlier = Secrets.newSecret(Webhooks.SECRET_PREFIX); // how secrets were made before
        fixture.database.queryOne("UPDATE webhook SET sealed_secret = ? WHERE webhook_id = ? RETURNING 1",
                Integer.class, fixture.keyEncryption.seal(earlier.getBytes(StandardCharsets.UTF_8),
                        "webhook-secret:" + webhookId), webhookId);
        fixture.deliveries.enqueue(fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED));

        dispatcher.dispatchDue();

        TestReceiver.Received request = receiver.received().getFirst();
        assertThat(fixture.webhooks.target(webhookId).orElseThrow().secrets()).containsExactly(earlier);
        assertThat(StandardVerification.verifies(earlier, request.body(), request.headers()))
                .as("in the standard alphabet, as the docs tell").isTrue();
        assertThat(verifies(earlier, request)).as("as its receivers verify it today").isTrue();
    }

    @Test
    void aTestDeliveryTakesTheSamePath() throws Exception {
        receiver.answer(500);
        UUID deliveryId = fixture.deliveries.enqueueTest(webhookId);

        dispatcher.dispatchDue();
        fixture.clock.advance(Duration.ofSeconds(30));
        dispatcher.dispatchDue();

        assertThat(receiver.received()).hasSize(2);
        TestReceiver.Received request = receiver.received().getLast();
        assertThat(request.header("Webhook-Id")).isEqualTo(deliveryId.toString());
        assertThat(request.body()).contains("\"type\":\"webhook.test\"", "\"webhookId\":\"" + webhookId + "\"");
        WebhookDeliveries.Delivery delivery = fixture.log(webhookId).getFirst();
        assertThat(delivery.deliveryId()).isEqualTo(deliveryId);
        assertThat(delivery.eventType()).isEqualTo("webhook.test");
        assertThat(delivery.status()).isEqualTo(WebhookDeliveries.Status.DELIVERED);
        assertThat(delivery.attempts()).isEqualTo(2);
    }

    @Test
    void theDeliveryLogIsPagedNewestFirst() {
        for (int i = 0; i < 5; i++) {
            fixture.deliveries.enqueue(fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED));
            fixture.clock.advance(Duration.ofSeconds(1));
        }
        List<WebhookDeliveries.Delivery> all = fixture.log(webhookId);

        List<WebhookDeliveries.Delivery> first = fixture.deliveries.page(webhookId, null, 2);
        List<WebhookDeliveries.Delivery> second = fixture.deliveries.page(webhookId, first.getLast().deliveryId(), 2);
        List<WebhookDeliveries.Delivery> last = fixture.deliveries.page(webhookId, second.getLast().deliveryId(), 2);

        assertThat(all).hasSize(5).isSortedAccordingTo((a, b) -> b.createdAt().compareTo(a.createdAt()));
        assertThat(first).containsExactlyElementsOf(all.subList(0, 2));
        assertThat(second).containsExactlyElementsOf(all.subList(2, 4));
        assertThat(last).containsExactlyElementsOf(all.subList(4, 5));
    }

    private static boolean signedWith(String secret, TestReceiver.Received request) throws Exception {
        return StandardVerification.signedWith(secret, request.header("webhook-id"), request.header("webhook-timestamp"),
                request.body(), request.header("webhook-signature"));
    }

    /** Verified the moment it arrived, as a receiver of the deprecated scheme does. */
    private static boolean verifies(String secret, TestReceiver.Received request) throws Exception {
        return ReceiverVerification.verify(secret, request.header("Webhook-Id"), request.header("Webhook-Timestamp"),
                request.body(), request.header("Webhook-Signature"),
                Instant.ofEpochSecond(Long.parseLong(request.header("Webhook-Timestamp"))));
    }
}
