package io.dynrag.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.platform.persistence.InTransaction;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The deliveries of webhook events and their state machine: {@code PENDING} until an attempt is answered with
 * a 2xx ({@code DELIVERED}) or the retry window is over ({@code FAILED}). A failed attempt schedules the next
 * one by the {@link RetrySchedule}. When a delivery fails for good and nothing was delivered to its webhook
 * since the delivery was created, the endpoint has failed everything for a whole retry window: the webhook is
 * disabled, with the reason, and its other pending deliveries fail.
 *
 * <p>Dispatchers claim due deliveries with {@code FOR UPDATE SKIP LOCKED} and a lease (the delivery's next
 * attempt moves a lease ahead, and a lease token names the claim), so several dispatchers never attempt one
 * delivery at the same time, and one that dies mid-attempt only delays it until the lease is over.
 */
public final class WebhookDeliveries {

    public static final Duration LEASE = Duration.ofSeconds(60);
    private static final int MAX_ERROR_LENGTH = 500;

    public enum Status { PENDING, DELIVERED, FAILED }

    /** What became of a failed attempt. */
    public enum FailureOutcome {
        RETRY_SCHEDULED,
        FAILED,
        FAILED_AND_WEBHOOK_DISABLED,
        /** the lease had passed to another claim; nothing was recorded */
        LEASE_LOST
    }

    private final ThreadBoundTransactionManager transactions;
    private final ObjectMapper json;
    private final RetrySchedule schedule;
    private final WebhookSettings settings;
    private final Clock clock;

    public WebhookDeliveries(ThreadBoundTransactionManager transactions, ObjectMapper json, WebhookSettings settings,
                             RetrySchedule schedule, Clock clock) {
        this.transactions = transactions;
        this.json = json;
        this.settings = settings;
        this.schedule = schedule;
        this.clock = clock;
    }

    /** A delivery claimed for one attempt. */
    public record Claimed(UUID deliveryId, UUID webhookId, String eventType, String body, int attempts,
                          Instant createdAt, UUID leaseToken) {
    }

    /** A delivery as the delivery log shows it. */
    public record Delivery(UUID deliveryId, String eventId, String eventType, Status status, int attempts,
                           Integer lastStatusCode, String lastError, Instant nextAttemptAt, Instant createdAt,
                           Instant lastAttemptAt, Instant deliveredAt) {
    }

    /** The JSON body every delivery carries. */
    record Body(String id, String type, Instant createdAt, Map<String, Object> data) {
    }

    /**
     * The delivery id, which is also the idempotency key receivers see: the same event to the same webhook
     * always has the same one.
     */
    static UUID deliveryId(UUID webhookId, String eventId) {
        return UUID.nameUUIDFromBytes(("webhook-delivery:" + webhookId + ":" + eventId).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Creates one delivery of the event for every enabled webhook of its customer that subscribes to its type
     * and existed when it happened. Joins the caller's transaction; an event seen before creates nothing.
     *
     * @return deliveries created
     */
    public int enqueue(WebhookEvent event) {
        return InTransaction.run(transactions, "cannot store webhook deliveries", connection -> {
            List<UUID> webhooks = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement("""
                    SELECT webhook_id FROM webhook
                    WHERE customer_id = ? AND enabled AND ? = ANY (event_types) AND created_at <= ?""")) {
                query.setString(1, event.customerId());
                query.setString(2, event.type().wireName());
                query.setTimestamp(3, Timestamp.from(event.occurredAt()));
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        webhooks.add(rows.getObject(1, UUID.class));
                    }
                }
            }
            int created = 0;
            for (UUID webhookId : webhooks) {
                created += insert(connection, webhookId, event);
            }
            return created;
        });
    }

    /** A {@code webhook.test} delivery to one webhook, due at once; the caller has checked the webhook. */
    public UUID enqueueTest(UUID webhookId) {
        WebhookEvent event = new WebhookEvent(UUID.randomUUID().toString(), null, WebhookEventType.TEST,
                clock.instant(), Map.of("webhookId", webhookId.toString(),
                "message", "A test delivery: your endpoint receives and verifies webhooks."));
        InTransaction.run(transactions, "cannot store the test delivery", connection -> insert(connection, webhookId,
                event));
        return deliveryId(webhookId, event.eventId());
    }

    private int insert(Connection connection, UUID webhookId, WebhookEvent event) throws SQLException {
        UUID deliveryId = deliveryId(webhookId, event.eventId());
        Instant now = clock.instant();
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO webhook_delivery (delivery_id, webhook_id, event_id, event_type, body, status,
                                              next_attempt_at, created_at)
                VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?)
                ON CONFLICT DO NOTHING""")) {
            insert.setObject(1, deliveryId);
            insert.setObject(2, webhookId);
            insert.setString(3, event.eventId());
            insert.setString(4, event.type().wireName());
            insert.setString(5, body(deliveryId, event));
            insert.setTimestamp(6, Timestamp.from(now));
            insert.setTimestamp(7, Timestamp.from(now));
            return insert.executeUpdate();
        }
    }

    private String body(UUID deliveryId, WebhookEvent event) {
        try {
            return json.writeValueAsString(new Body(deliveryId.toString(), event.type().wireName(), event.occurredAt(),
                    event.data()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a webhook body is plain data and always serialises", e);
        }
    }

    /**
     * Claims up to {@code max} due deliveries for one attempt each, oldest due first. Rows another dispatcher
     * is claiming at this moment are skipped, not waited for.
     */
    public List<Claimed> claimDue(int max) {
        Instant now = clock.instant();
        UUID leaseToken = UUID.randomUUID();
        return InTransaction.run(transactions, "cannot claim webhook deliveries", connection -> {
            try (PreparedStatement claim = connection.prepareStatement("""
                    WITH due AS (
                        SELECT delivery_id FROM webhook_delivery
                        WHERE status = 'PENDING' AND next_attempt_at <= ?
                        ORDER BY next_attempt_at
                        LIMIT ?
                        FOR UPDATE SKIP LOCKED)
                    UPDATE webhook_delivery d SET next_attempt_at = ?, lease_token = ?
                    FROM due WHERE d.delivery_id = due.delivery_id
                    RETURNING d.delivery_id, d.webhook_id, d.event_type, d.body, d.attempts, d.created_at""")) {
                claim.setTimestamp(1, Timestamp.from(now));
                claim.setInt(2, max);
                claim.setTimestamp(3, Timestamp.from(now.plus(LEASE)));
                claim.setObject(4, leaseToken);
                List<Claimed> claimed = new ArrayList<>();
                try (ResultSet rows = claim.executeQuery()) {
                    while (rows.next()) {
                        claimed.add(new Claimed(rows.getObject(1, UUID.class), rows.getObject(2, UUID.class),
                                rows.getString(3), rows.getString(4), rows.getInt(5), rows.getTimestamp(6).toInstant(),
                                leaseToken));
                    }
                }
                return claimed;
            }
        });
    }

    /** The attempt was answered with a 2xx. @return false when the lease had passed to another claim */
    public boolean recordDelivered(Claimed claimed, int statusCode) {
        Instant now = clock.instant();
        return InTransaction.run(transactions, "cannot record the webhook delivery", connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE webhook_delivery SET status = 'DELIVERED', attempts = attempts + 1, last_status_code = ?,
                        last_error = NULL, last_attempt_at = ?, delivered_at = ?, next_attempt_at = NULL,
                        lease_token = NULL
                    WHERE delivery_id = ? AND lease_token = ?""")) {
                update.setInt(1, statusCode);
                update.setTimestamp(2, Timestamp.from(now));
                update.setTimestamp(3, Timestamp.from(now));
                update.setObject(4, claimed.deliveryId());
                update.setObject(5, claimed.leaseToken());
                if (update.executeUpdate() == 0) {
                    return false;
                }
            }
            try (PreparedStatement success = connection.prepareStatement("""
                    UPDATE webhook SET last_success_at = GREATEST(COALESCE(last_success_at, ?), ?)
                    WHERE webhook_id = ?""")) {
                success.setTimestamp(1, Timestamp.from(now));
                success.setTimestamp(2, Timestamp.from(now));
                success.setObject(3, claimed.webhookId());
                success.executeUpdate();
            }
            return true;
        });
    }

    /**
     * The attempt failed: a non-2xx answer ({@code statusCode}) or none at all (null). Schedules the next
     * attempt, or fails the delivery for good once the retry window is over, and then disables the webhook
     * when nothing was delivered to it since the delivery was created.
     */
    public FailureOutcome recordFailed(Claimed claimed, Integer statusCode, String error) {
        Instant now = clock.instant();
        int attempts = claimed.attempts() + 1;
        Optional<Instant> next = schedule.nextAttempt(claimed.createdAt(), now, attempts);
        String lastError = shorten(error);
        return InTransaction.run(transactions, "cannot record the webhook delivery", connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE webhook_delivery SET status = ?, attempts = ?, last_status_code = ?, last_error = ?,
                        last_attempt_at = ?, next_attempt_at = ?, lease_token = NULL
                    WHERE delivery_id = ? AND lease_token = ?""")) {
                update.setString(1, next.isPresent() ? Status.PENDING.name() : Status.FAILED.name());
                update.setInt(2, attempts);
                if (statusCode == null) {
                    update.setNull(3, Types.INTEGER);
                } else {
                    update.setInt(3, statusCode);
                }
                update.setString(4, lastError);
                update.setTimestamp(5, Timestamp.from(now));
                update.setTimestamp(6, next.map(Timestamp::from).orElse(null));
                update.setObject(7, claimed.deliveryId());
                update.setObject(8, claimed.leaseToken());
                if (update.executeUpdate() == 0) {
                    return FailureOutcome.LEASE_LOST;
                }
            }
            if (next.isPresent()) {
                return FailureOutcome.RETRY_SCHEDULED;
            }
            return disableIfNothingDeliveredSince(connection, claimed, now, attempts, lastError)
                    ? FailureOutcome.FAILED_AND_WEBHOOK_DISABLED : FailureOutcome.FAILED;
        });
    }

    /** The delivery cannot be attempted at all (its webhook is off): it fails for good, no attempt counted. */
    public void recordUndeliverable(Claimed claimed, String reason) {
        InTransaction.run(transactions, "cannot record the webhook delivery", connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE webhook_delivery SET status = 'FAILED', last_error = ?, next_attempt_at = NULL,
                        lease_token = NULL
                    WHERE delivery_id = ? AND lease_token = ?""")) {
                update.setString(1, shorten(reason));
                update.setObject(2, claimed.deliveryId());
                update.setObject(3, claimed.leaseToken());
                return update.executeUpdate();
            }
        });
    }

    private boolean disableIfNothingDeliveredSince(Connection connection, Claimed claimed, Instant now, int attempts,
                                                   String lastError) throws SQLException {
        String reason = "Disabled automatically at " + now + ": all " + attempts + " attempts of delivery "
                + claimed.deliveryId() + " failed within " + readable(settings.retryWindow())
                + ", and nothing has been delivered since " + claimed.createdAt() + "; the last attempt: " + lastError
                + ". Fix the endpoint, then enable the webhook again with PUT {\"enabled\": true}.";
        try (PreparedStatement disable = connection.prepareStatement("""
                UPDATE webhook SET enabled = FALSE, disabled_reason = ?, updated_at = ?
                WHERE webhook_id = ? AND enabled AND (last_success_at IS NULL OR last_success_at < ?)""")) {
            disable.setString(1, reason);
            disable.setTimestamp(2, Timestamp.from(now));
            disable.setObject(3, claimed.webhookId());
            disable.setTimestamp(4, Timestamp.from(claimed.createdAt()));
            if (disable.executeUpdate() == 0) {
                return false;
            }
        }
        failPending(claimed.webhookId(), "the webhook was disabled automatically before this delivery succeeded");
        return true;
    }

    /**
     * Fails every pending delivery of the webhook; joins the caller's transaction. An attempt in flight keeps
     * its lease, so what its receiver answered is still recorded.
     */
    public int failPending(UUID webhookId, String reason) {
        return InTransaction.run(transactions, "cannot fail pending webhook deliveries", connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE webhook_delivery SET status = 'FAILED', last_error = ?, next_attempt_at = NULL
                    WHERE webhook_id = ? AND status = 'PENDING'""")) {
                update.setString(1, shorten(reason));
                update.setObject(2, webhookId);
                return update.executeUpdate();
            }
        });
    }

    /**
     * A page of the webhook's deliveries, newest first.
     *
     * @param after the last delivery of the previous page, or null for the first page
     */
    public List<Delivery> page(UUID webhookId, UUID after, int limit) {
        return InTransaction.run(transactions, "cannot read webhook deliveries", connection -> {
            try (PreparedStatement query = connection.prepareStatement("""
                    SELECT delivery_id, event_id, event_type, status, attempts, last_status_code, last_error,
                           next_attempt_at, created_at, last_attempt_at, delivered_at
                    FROM webhook_delivery d
                    WHERE webhook_id = ? AND (CAST(? AS UUID) IS NULL OR (created_at, delivery_id) < (
                        SELECT created_at, delivery_id FROM webhook_delivery
                        WHERE webhook_id = d.webhook_id AND delivery_id = ?))
                    ORDER BY created_at DESC, delivery_id DESC
                    LIMIT ?""")) {
                query.setObject(1, webhookId);
                query.setObject(2, after);
                query.setObject(3, after);
                query.setInt(4, limit);
                List<Delivery> page = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        page.add(delivery(rows));
                    }
                }
                return page;
            }
        });
    }

    private static Delivery delivery(ResultSet row) throws SQLException {
        int code = row.getInt("last_status_code");
        Integer lastStatusCode = row.wasNull() ? null : code;
        return new Delivery(row.getObject("delivery_id", UUID.class), row.getString("event_id"),
                row.getString("event_type"), Status.valueOf(row.getString("status")), row.getInt("attempts"),
                lastStatusCode, row.getString("last_error"), instant(row.getTimestamp("next_attempt_at")),
                instant(row.getTimestamp("created_at")), instant(row.getTimestamp("last_attempt_at")),
                instant(row.getTimestamp("delivered_at")));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static String shorten(String text) {
        return text == null || text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH) + "…";
    }

    private static String readable(Duration duration) {
        if (duration.toSecondsPart() == 0 && duration.toMinutesPart() == 0) {
            return duration.toHours() + (duration.toHours() == 1 ? " hour" : " hours");
        }
        if (duration.toSecondsPart() == 0) {
            return duration.toMinutes() + " minutes";
        }
        return duration.toSeconds() + " seconds";
    }
}
