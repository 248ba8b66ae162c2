package io.dynrag.webhooks;

import io.dynrag.platform.crypto.DecryptionFailedException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookRegistryTest {

    private static final String URL = "https://hooks.example.com/dynrag";

    private final WebhookFixture fixture = new WebhookFixture(WebhookSettings.DEFAULTS, new java.util.Random(7));
    private final Webhooks webhooks = fixture.webhooks;

    @Test
    void theSecretIsShownOnceAndStoredOnlySealed() {
        Webhooks.Created created = webhooks.create("cust-a", UUID.randomUUID(), URL, Set.of(WebhookEventType.DOCUMENT_INDEXED),
                "search index sync", true);

        assertThat(created.secret()).startsWith("whsec_").hasSize("whsec_".length() + 44);
        assertThat(WebhookSignature.key(created.secret())).as("32 bytes in standard base64").hasSize(32);
        assertThat(created.toString()).doesNotContain(created.secret());
        Webhooks.Webhook webhook = created.webhook();
        assertThat(webhook.customerId()).isEqualTo("cust-a");
        assertThat(webhook.enabled()).isTrue();
        assertThat(webhook.disabledReason()).isNull();
        assertThat(webhooks.find("cust-a", webhook.webhookId())).contains(webhook);
        assertThat(webhooks.list("cust-a")).containsExactly(webhook);
        byte[] stored = fixture.database.queryOne("SELECT sealed_secret FROM webhook WHERE webhook_id = ?",
                byte[].class, webhook.webhookId());
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(created.secret())
                .doesNotContain(created.secret().substring(6));
        assertThat(webhooks.target(webhook.webhookId()).orElseThrow().secrets()).containsExactly(created.secret());
        assertThat(webhooks.target(webhook.webhookId()).orElseThrow().toString()).doesNotContain(created.secret());
        assertThat(webhooks.create("cust-a", UUID.randomUUID(), URL, Set.of(WebhookEventType.DOCUMENT_INDEXED), "", true).secret())
                .isNotEqualTo(created.secret());
    }

    @Test
    void aSealedSecretOpensOnlyForItsOwnWebhook() {
        UUID first = fixture.webhook("cust-a", URL, WebhookEventType.DOCUMENT_INDEXED).webhook().webhookId();
        UUID second = fixture.webhook("cust-a", URL, WebhookEventType.DOCUMENT_INDEXED).webhook().webhookId();

        fixture.database.queryOne("UPDATE webhook SET sealed_secret = (SELECT sealed_secret FROM webhook "
                + "WHERE webhook_id = ?) WHERE webhook_id = ? RETURNING 1", Integer.class, first, second);

        assertThatThrownBy(() -> webhooks.target(second)).isInstanceOf(DecryptionFailedException.class);
        assertThat(webhooks.target(first)).isPresent();
    }

    @Test
    void anotherCustomersWebhookCannotBeSeenChangedRotatedOrDeleted() {
        UUID webhookId = fixture.webhook("cust-a", URL, WebhookEventType.DOCUMENT_INDEXED).webhook().webhookId();

        assertThat(webhooks.find("cust-b", webhookId)).isEmpty();
        assertThat(webhooks.list("cust-b")).isEmpty();
        assertThat(webhooks.update("cust-b", webhookId, new Webhooks.Change("https://evil.example.com/", null, null,
                false))).isEmpty();
        assertThat(webhooks.rotateSecret("cust-b", webhookId)).isEmpty();
        assertThat(webhooks.delete("cust-b", webhookId)).isFalse();

        Webhooks.Webhook unchanged = webhooks.find("cust-a", webhookId).orElseThrow();
        assertThat(unchanged.url()).isEqualTo(URL);
        assertThat(unchanged.enabled()).isTrue();
    }

    @Test
    void aCustomerHoldsAtMostTwentyWebhooksEvenWhenCreatingInParallel() throws Exception {
        for (int i = 0; i < Webhooks.MAX_PER_CUSTOMER - 5; i++) {
            fixture.webhook("cust-a", URL, WebhookEventType.DOCUMENT_INDEXED);
        }
        List<Callable<Boolean>> attempts = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            attempts.add(() -> {
                try {
                    fixture.webhook("cust-a", URL, WebhookEventType.DOCUMENT_DELETED);
                    return true;
                } catch (Webhooks.LimitReachedException e) {
                    return false;
                }
            });
        }
        int created = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            for (Future<Boolean> attempt : pool.invokeAll(attempts)) {
                created += attempt.get() ? 1 : 0;
            }
        }

        assertThat(created).isEqualTo(5);
        assertThat(webhooks.list("cust-a")).hasSize(Webhooks.MAX_PER_CUSTOMER);
        assertThatThrownBy(() -> fixture.webhook("cust-a", URL, WebhookEventType.DOCUMENT_INDEXED))
                .isInstanceOf(Webhooks.LimitReachedException.class).hasMessageContaining("at most 20 webhooks");
        assertThat(fixture.webhook("cust-b", URL, WebhookEventType.DOCUMENT_INDEXED).webhook().customerId())
                .as("another customer's limit is its own").isEqualTo("cust-b");
    }

    @Test
    void aChangeKeepsWhatItDoesNotName() {
        Webhooks.Webhook webhook = webhooks.create("cust-a", UUID.randomUUID(), URL, Set.of(WebhookEventType.DOCUMENT_INDEXED),
                "first", true).webhook();
        fixture.clock.advance(Duration.ofMinutes(1));

        Webhooks.Webhook changed = webhooks.update("cust-a", webhook.webhookId(), new Webhooks.Change(null,
                Set.of(WebhookEventType.DOCUMENT_FAILED, WebhookEventType.BUDGET_THRESHOLD_REACHED), null, null))
                .orElseThrow();

        assertThat(changed.url()).isEqualTo(URL);
        assertThat(changed.description()).isEqualTo("first");
        assertThat(changed.enabled()).isTrue();
        assertThat(changed.eventTypes()).containsExactlyInAnyOrder(WebhookEventType.DOCUMENT_FAILED,
                WebhookEventType.BUDGET_THRESHOLD_REACHED);
        assertThat(changed.createdAt()).isEqualTo(webhook.createdAt());
        assertThat(changed.updatedAt()).isEqualTo(fixture.now());
    }

    @Test
    void turningAWebhookOffFailsItsPendingDeliveriesAndTurningItOnClearsTheReason() {
        UUID webhookId = fixture.webhook("cust-a", URL, WebhookEventType.DOCUMENT_INDEXED).webhook().webhookId();
        WebhookEvent event = fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED);
        assertThat(fixture.deliveries.enqueue(event)).isEqualTo(1);

        Webhooks.Webhook off = webhooks.update("cust-a", webhookId, new Webhooks.Change(null, null, null, false))
                .orElseThrow();

        assertThat(off.enabled()).isFalse();
        assertThat(off.disabledReason()).as("the customer's own choice needs no reason").isNull();
        WebhookDeliveries.Delivery failed = fixture.delivery(webhookId, event.eventId());
        assertThat(failed.status()).isEqualTo(WebhookDeliveries.Status.FAILED);
        assertThat(failed.lastError()).contains("disabled");
        assertThat(fixture.deliveries.enqueue(fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED)))
                .as("a disabled webhook receives nothing").isZero();

        fixture.database.queryOne("UPDATE webhook SET disabled_reason = 'kept failing' WHERE webhook_id = ? "
                + "RETURNING 1", Integer.class, webhookId);
        Webhooks.Webhook on = webhooks.update("cust-a", webhookId, new Webhooks.Change(null, null, null, true))
                .orElseThrow();

        assertThat(on.enabled()).isTrue();
        assertThat(on.disabledReason()).isNull();
        assertThat(fixture.deliveries.enqueue(fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED))).isEqualTo(1);
    }

    @Test
    void aRotatedSecretReplacesTheOldOneWhichStillSignsForADay() {
        Webhooks.Created created = fixture.webhook("cust-a", URL, WebhookEventType.DOCUMENT_INDEXED);
        UUID webhookId = created.webhook().webhookId();

        String rotated = webhooks.rotateSecret("cust-a", webhookId).orElseThrow();

        assertThat(rotated).startsWith("whsec_").isNotEqualTo(created.secret());
        assertThat(webhooks.target(webhookId).orElseThrow().secrets()).containsExactly(rotated, created.secret());
        fixture.clock.advance(Webhooks.PREVIOUS_SECRET_GRACE.plusSeconds(1));
        assertThat(webhooks.target(webhookId).orElseThrow().secrets()).containsExactly(rotated);
    }

    @Test
    void deletingAWebhookRemovesItsDeliveriesAndDeletingTheCustomerRemovesEveryWebhook() {
        UUID first = fixture.webhook("cust-a", URL, WebhookEventType.DOCUMENT_INDEXED).webhook().webhookId();
        UUID second = fixture.webhook("cust-a", URL, WebhookEventType.DOCUMENT_INDEXED).webhook().webhookId();
        UUID others = fixture.webhook("cust-b", URL, WebhookEventType.DOCUMENT_INDEXED).webhook().webhookId();
        fixture.deliveries.enqueue(fixture.event("cust-a", WebhookEventType.DOCUMENT_INDEXED));
        fixture.deliveries.enqueue(fixture.event("cust-b", WebhookEventType.DOCUMENT_INDEXED));

        assertThat(webhooks.delete("cust-a", first)).isTrue();
        assertThat(webhooks.delete("cust-a", first)).isFalse();
        assertThat(countDeliveries(first)).isZero();
        assertThat(countDeliveries(second)).isEqualTo(1);

        assertThat(webhooks.deleteAllOf("cust-a")).isEqualTo(1);
        assertThat(webhooks.list("cust-a")).isEmpty();
        assertThat(countDeliveries(second)).isZero();
        assertThat(webhooks.list("cust-b")).hasSize(1);
        assertThat(countDeliveries(others)).isEqualTo(1);
    }

    private long countDeliveries(UUID webhookId) {
        return fixture.database.queryOne("SELECT count(*) FROM webhook_delivery WHERE webhook_id = ?", Long.class,
                webhookId);
    }
}
