package io.dynrag.webhooks;

import io.dynrag.platform.crypto.KeyEncryption;
import io.dynrag.platform.crypto.Secrets;
import io.dynrag.platform.persistence.InTransaction;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;

import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Customers' webhooks. The signing secret is generated here (a Standard Webhooks {@code whsec_} secret: 32 random
 * bytes in standard base64), shown once, and stored only sealed with the key-encryption key under a context bound
 * to the webhook id; it is opened in memory when a delivery is signed. Every method that takes a customer id acts only on that customer's webhooks.
 */
public final class Webhooks {

    public static final int MAX_PER_CUSTOMER = 20;
    public static final String SECRET_PREFIX = "whsec_";
    /** After a rotation the previous secret signs too for this long, so receivers can switch at leisure. */
    public static final Duration PREVIOUS_SECRET_GRACE = Duration.ofHours(24);

    private final ThreadBoundTransactionManager transactions;
    private final KeyEncryption keyEncryption;
    private final WebhookDeliveries deliveries;
    private final Clock clock;

    public Webhooks(ThreadBoundTransactionManager transactions, KeyEncryption keyEncryption,
                    WebhookDeliveries deliveries, Clock clock) {
        this.transactions = transactions;
        this.keyEncryption = keyEncryption;
        this.deliveries = deliveries;
        this.clock = clock;
    }

    public record Webhook(UUID webhookId, String customerId, String url, Set<WebhookEventType> eventTypes,
                          String description, boolean enabled, String disabledReason, Instant createdAt,
                          Instant updatedAt) {

        public Webhook {
            eventTypes = Set.copyOf(eventTypes);
        }
    }

    /** A new webhook with its secret, which is never readable again. */
    public record Created(Webhook webhook, String secret) {

        @Override
        public String toString() {
            return "Created[" + webhook + "]";
        }
    }

    /** What {@code PUT} changes; a null field keeps its value. */
    public record Change(String url, Set<WebhookEventType> eventTypes, String description, Boolean enabled) {
    }

    /**
     * What a delivery attempt needs, read at the moment of the attempt.
     *
     * @param secrets the secrets to sign with, the current one first
     */
    public record Target(UUID webhookId, String url, boolean enabled, List<String> secrets) {

        @Override
        public String toString() {
            return "Target[" + webhookId + ", " + url + ", enabled=" + enabled + "]";
        }
    }

    /** The customer holds {@link #MAX_PER_CUSTOMER} webhooks already. */
    public static final class LimitReachedException extends RuntimeException {

        LimitReachedException() {
            super("a customer may hold at most " + MAX_PER_CUSTOMER + " webhooks; delete unused ones first");
        }
    }

    /** @throws LimitReachedException when the customer has {@link #MAX_PER_CUSTOMER} webhooks already */
    public Created create(String customerId, UUID webhookId, String url, Set<WebhookEventType> eventTypes,
                          String description, boolean enabled) {
        String secret = Secrets.newBase64Secret(SECRET_PREFIX);
        Instant now = clock.instant();
        InTransaction.run(transactions, "cannot store the webhook", connection -> {
            // Serialises creations of one customer, so that two at once cannot both pass the limit.
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                lock.setString(1, "webhooks:" + customerId);
                lock.execute();
            }
            try (PreparedStatement count = connection.prepareStatement(
                    "SELECT count(*) FROM webhook WHERE customer_id = ?")) {
                count.setString(1, customerId);
                try (ResultSet row = count.executeQuery()) {
                    row.next();
                    if (row.getInt(1) >= MAX_PER_CUSTOMER) {
                        throw new LimitReachedException();
                    }
                }
            }
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO webhook (webhook_id, customer_id, url, event_types, description, enabled, sealed_secret,
                                         created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                insert.setObject(1, webhookId);
                insert.setString(2, customerId);
                insert.setString(3, url);
                insert.setArray(4, typeArray(connection, eventTypes));
                insert.setString(5, description);
                insert.setBoolean(6, enabled);
                insert.setBytes(7, seal(webhookId, secret));
                insert.setTimestamp(8, Timestamp.from(now));
                insert.setTimestamp(9, Timestamp.from(now));
                insert.executeUpdate();
            }
            return null;
        });
        return new Created(new Webhook(webhookId, customerId, url, eventTypes, description, enabled, null, now, now),
                secret);
    }

    public List<Webhook> list(String customerId) {
        return InTransaction.run(transactions, "cannot list webhooks", connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT * FROM webhook WHERE customer_id = ? ORDER BY created_at, webhook_id")) {
                query.setString(1, customerId);
                List<Webhook> webhooks = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        webhooks.add(webhook(rows));
                    }
                }
                return webhooks;
            }
        });
    }

    public Optional<Webhook> find(String customerId, UUID webhookId) {
        return InTransaction.run(transactions, "cannot read the webhook", connection -> find(connection, customerId,
                webhookId, false));
    }

    /**
     * Changes the webhook. Turning it off fails its pending deliveries; turning it on again (also after it was
     * disabled automatically) clears the reason it was off.
     */
    public Optional<Webhook> update(String customerId, UUID webhookId, Change change) {
        return InTransaction.run(transactions, "cannot change the webhook", connection -> {
            Optional<Webhook> found = find(connection, customerId, webhookId, true);
            if (found.isEmpty()) {
                return Optional.<Webhook>empty();
            }
            Webhook current = found.get();
            boolean enabled = change.enabled() == null ? current.enabled() : change.enabled();
            String disabledReason = change.enabled() == null ? current.disabledReason() : null;
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE webhook SET url = ?, event_types = ?, description = ?, enabled = ?, disabled_reason = ?,
                                       updated_at = ?
                    WHERE webhook_id = ?""")) {
                update.setString(1, change.url() == null ? current.url() : change.url());
                update.setArray(2, typeArray(connection,
                        change.eventTypes() == null ? current.eventTypes() : change.eventTypes()));
                update.setString(3, change.description() == null ? current.description() : change.description());
                update.setBoolean(4, enabled);
                update.setString(5, disabledReason);
                update.setTimestamp(6, Timestamp.from(clock.instant()));
                update.setObject(7, webhookId);
                update.executeUpdate();
            }
            if (current.enabled() && !enabled) {
                deliveries.failPending(webhookId, "the webhook was disabled before this delivery succeeded");
            }
            return find(connection, customerId, webhookId, false);
        });
    }

    /** Removes the webhook and its deliveries; false when the customer has no such webhook. */
    public boolean delete(String customerId, UUID webhookId) {
        return InTransaction.run(transactions, "cannot delete the webhook", connection -> {
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM webhook WHERE customer_id = ? AND webhook_id = ?")) {
                delete.setString(1, customerId);
                delete.setObject(2, webhookId);
                return delete.executeUpdate() == 1;
            }
        });
    }

    /** Removes every webhook of the customer and their deliveries; joins the caller's transaction. */
    public int deleteAllOf(String customerId) {
        return InTransaction.run(transactions, "cannot delete webhooks", connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM webhook WHERE customer_id = ?")) {
                delete.setString(1, customerId);
                return delete.executeUpdate();
            }
        });
    }

    /**
     * Replaces the signing secret. The previous one keeps signing beside it for {@link #PREVIOUS_SECRET_GRACE}.
     *
     * @return the new secret, shown only now; empty when the customer has no such webhook
     */
    public Optional<String> rotateSecret(String customerId, UUID webhookId) {
        String secret = Secrets.newBase64Secret(SECRET_PREFIX);
        Instant now = clock.instant();
        return InTransaction.run(transactions, "cannot rotate the webhook secret", connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE webhook SET previous_sealed_secret = sealed_secret, previous_secret_until = ?,
                                       sealed_secret = ?, updated_at = ?
                    WHERE customer_id = ? AND webhook_id = ?""")) {
                update.setTimestamp(1, Timestamp.from(now.plus(PREVIOUS_SECRET_GRACE)));
                update.setBytes(2, seal(webhookId, secret));
                update.setTimestamp(3, Timestamp.from(now));
                update.setString(4, customerId);
                update.setObject(5, webhookId);
                return update.executeUpdate() == 1 ? Optional.of(secret) : Optional.<String>empty();
            }
        });
    }

    /** The webhook as a delivery attempt sees it now, with its secrets opened; empty once it is deleted. */
    public Optional<Target> target(UUID webhookId) {
        return InTransaction.run(transactions, "cannot read the webhook", connection -> {
            try (PreparedStatement query = connection.prepareStatement("""
                    SELECT url, enabled, sealed_secret, previous_sealed_secret, previous_secret_until
                    FROM webhook WHERE webhook_id = ?""")) {
                query.setObject(1, webhookId);
                try (ResultSet row = query.executeQuery()) {
                    if (!row.next()) {
                        return Optional.<Target>empty();
                    }
                    List<String> secrets = new ArrayList<>();
                    secrets.add(open(webhookId, row.getBytes("sealed_secret")));
                    Timestamp previousUntil = row.getTimestamp("previous_secret_until");
                    if (previousUntil != null && previousUntil.toInstant().isAfter(clock.instant())) {
                        secrets.add(open(webhookId, row.getBytes("previous_sealed_secret")));
                    }
                    return Optional.of(new Target(webhookId, row.getString("url"), row.getBoolean("enabled"),
                            List.copyOf(secrets)));
                }
            }
        });
    }

    private Optional<Webhook> find(Connection connection, String customerId, UUID webhookId, boolean forUpdate)
            throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT * FROM webhook WHERE customer_id = ? AND webhook_id = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            query.setString(1, customerId);
            query.setObject(2, webhookId);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(webhook(row)) : Optional.empty();
            }
        }
    }

    private byte[] seal(UUID webhookId, String secret) {
        return keyEncryption.seal(secret.getBytes(StandardCharsets.UTF_8), context(webhookId));
    }

    private String open(UUID webhookId, byte[] sealed) {
        return new String(keyEncryption.open(sealed, context(webhookId)), StandardCharsets.UTF_8);
    }

    private static String context(UUID webhookId) {
        return "webhook-secret:" + webhookId;
    }

    private static Array typeArray(Connection connection, Set<WebhookEventType> types) throws SQLException {
        return connection.createArrayOf("text", types.stream().map(WebhookEventType::wireName).sorted().toArray());
    }

    private static Webhook webhook(ResultSet row) throws SQLException {
        Set<WebhookEventType> types = EnumSet.noneOf(WebhookEventType.class);
        for (Object name : (Object[]) row.getArray("event_types").getArray()) {
            WebhookEventType.fromWireName((String) name).ifPresent(types::add);
        }
        return new Webhook(row.getObject("webhook_id", UUID.class), row.getString("customer_id"), row.getString("url"),
                types, row.getString("description"), row.getBoolean("enabled"), row.getString("disabled_reason"),
                row.getTimestamp("created_at").toInstant(), row.getTimestamp("updated_at").toInstant());
    }
}
