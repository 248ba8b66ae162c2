package io.dynrag.webhooks;

import io.dynrag.identity.access.Access;
import io.dynrag.platform.crypto.KeyEncryption;
import io.dynrag.platform.http.Json;
import io.dynrag.platform.outbound.AddressPolicy;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import io.dynrag.schemas.connection.KafkaConnection;

import java.time.Clock;
import java.util.Random;

/**
 * Webhooks as one feature of the API role: the endpoints, the consumer that turns events into deliveries
 * and the dispatcher that sends them. Every API instance runs all three.
 */
public final class WebhookService implements AutoCloseable {

    private final WebhookEventConsumer consumer;
    private final WebhookDispatcher dispatcher;
    private final WebhookEndpoints endpoints;

    public WebhookService(WebhookSettings settings, KafkaConnection kafka,
                          ThreadBoundTransactionManager transactions, KeyEncryption keyEncryption,
                          AddressPolicy addresses, Access access, Clock clock) {
        WebhookDeliveries deliveries = new WebhookDeliveries(transactions, Json.apiMapper(), settings,
                new RetrySchedule(settings, new Random()), clock);
        Webhooks webhooks = new Webhooks(transactions, keyEncryption, deliveries, clock);
        this.dispatcher = new WebhookDispatcher(webhooks, deliveries, addresses, clock);
        this.consumer = new WebhookEventConsumer(kafka, transactions, webhooks, deliveries,
                dispatcher::wakeUp);
        this.endpoints = new WebhookEndpoints(access, webhooks, deliveries, addresses, dispatcher::wakeUp);
    }

    /** The webhook routes, for the API role's server. */
    public WebhookEndpoints endpoints() {
        return endpoints;
    }

    public void start() {
        dispatcher.start();
        consumer.start();
    }

    public boolean isReady() {
        return consumer.isReady() && dispatcher.isRunning();
    }

    @Override
    public void close() {
        consumer.close();
        dispatcher.close();
    }
}
