package io.dynrag.webhooks;

import io.dynrag.platform.crypto.KeyEncryption;
import io.dynrag.platform.crypto.KeyEncryptionKeys;
import io.dynrag.platform.http.Json;
import io.dynrag.platform.outbound.AddressAllowlist;
import io.dynrag.platform.outbound.AddressPolicy;
import io.dynrag.platform.testing.MutableClock;
import io.dynrag.platform.testing.TestDatabase;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.random.RandomGenerator;

/** The webhook components on the real test database (its webhook history migrated too), with a clock the test moves, each test on empty tables. */
final class WebhookFixture {

    /** The tests' receivers listen on loopback, which the policy refuses unless allowed like this. */
    static final AddressPolicy LOOPBACK_ALLOWED = new AddressPolicy(AddressAllowlist.parse("127.0.0.1"));

    final TestDatabase database = TestDatabase.get();
    final MutableClock clock = MutableClock.atRealTime();
    final KeyEncryption keyEncryption = new KeyEncryption(KeyEncryptionKeys.generate("test"));
    final WebhookSettings settings;
    final WebhookDeliveries deliveries;
    final Webhooks webhooks;

    WebhookFixture(WebhookSettings settings, RandomGenerator random) {
        WebhookMigrations.migrate(database.dataSource());
        database.truncate("webhook", "webhook_delivery", "webhook_offset");
        this.settings = settings;
        this.deliveries = new WebhookDeliveries(database.transactions(), Json.apiMapper(), settings,
                new RetrySchedule(settings, random), clock);
        this.webhooks = new Webhooks(database.transactions(), keyEncryption, deliveries, clock);
    }

    WebhookDispatcher dispatcher(AddressPolicy policy) {
        return new WebhookDispatcher(webhooks, deliveries, policy, clock);
    }

    Webhooks.Created webhook(String customerId, String url, WebhookEventType... types) {
        return webhooks.create(customerId, UUID.randomUUID(), url, Set.of(types), "", true);
    }

    /** An event of the customer that happens now. */
    WebhookEvent event(String customerId, WebhookEventType type) {
        return new WebhookEvent(UUID.randomUUID().toString(), customerId, type, clock.instant(),
                Map.of("documentId", UUID.randomUUID().toString(), "version", 1));
    }

    /** The newest deliveries of the webhook first, as the delivery log shows them. */
    List<WebhookDeliveries.Delivery> log(UUID webhookId) {
        return deliveries.page(webhookId, null, 100);
    }

    WebhookDeliveries.Delivery delivery(UUID webhookId, String eventId) {
        return log(webhookId).stream().filter(delivery -> delivery.eventId().equals(eventId)).findFirst()
                .orElseThrow(() -> new AssertionError("no delivery of event " + eventId));
    }

    Instant now() {
        return clock.instant();
    }
}
