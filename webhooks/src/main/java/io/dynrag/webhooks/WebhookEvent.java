package io.dynrag.webhooks;

import io.dynrag.domain.document.IndexingStats;
import io.dynrag.platform.http.Json;
import io.dynrag.schemas.customer.BudgetThresholdReached;
import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.document.DocumentDeleted;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.document.DocumentVersionFailed;
import io.dynrag.schemas.document.DocumentVersionIndexed;
import io.dynrag.schemas.domain.IndexingStatsAvro;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An event that webhooks may receive, with the {@code data} its deliveries carry.
 *
 * @param eventId    the event's id on the topic; one delivery per webhook and event id
 * @param occurredAt when it happened: the deliveries' {@code createdAt}
 * @param data       the fields of the delivery's {@code data} object, in order
 */
public record WebhookEvent(String eventId, String customerId, WebhookEventType type, Instant occurredAt,
                           Map<String, Object> data) {

    public WebhookEvent {
        data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    /** The webhook event a document event stands for, if it is one webhooks report. */
    public static Optional<WebhookEvent> of(String eventId, DocumentEvent event) {
        String documentId = event.getDocumentId();
        return Optional.ofNullable(switch (event.getPayload()) {
            case DocumentVersionIndexed indexed -> indexed(eventId, event, indexed.getVersion(),
                    IndexingStatsAvro.fromIndexedEvent(indexed));
            case DocumentVersionFailed failed -> new WebhookEvent(eventId, event.getCustomerId(),
                    WebhookEventType.DOCUMENT_FAILED, event.getOccurredAt(), fields(
                    "documentId", documentId, "version", failed.getVersion(), "reason", failed.getReason(),
                    "retryable", failed.getRetryable()));
            case DocumentDeleted deleted -> new WebhookEvent(eventId, event.getCustomerId(),
                    WebhookEventType.DOCUMENT_DELETED, event.getOccurredAt(), fields(
                    "documentId", documentId, "lastVersion", deleted.getLastVersion()));
            default -> null;
        });
    }

    private static WebhookEvent indexed(String eventId, DocumentEvent event, int version, IndexingStats stats) {
        return new WebhookEvent(eventId, event.getCustomerId(), WebhookEventType.DOCUMENT_INDEXED,
                event.getOccurredAt(), fields(
                "documentId", event.getDocumentId(), "version", version, "chunks", stats.chunks(),
                "tokens", stats.tokens(), "meteredTokens", stats.meteredTokens(),
                "embeddedTokens", stats.embeddedTokens(), "reusedChunks", stats.reusedChunks(),
                "characters", stats.characters(), "pages", stats.pages(), "model", stats.model(),
                "lanceVersion", stats.lanceVersion(), "costUsd", Json.usd(stats.costMicroUsd())));
    }

    /** The webhook event a customer event stands for, if it is one webhooks report. */
    public static Optional<WebhookEvent> of(String eventId, CustomerEvent event) {
        if (event.getPayload() instanceof BudgetThresholdReached reached) {
            return Optional.of(new WebhookEvent(eventId, event.getCustomerId(),
                    WebhookEventType.BUDGET_THRESHOLD_REACHED, event.getOccurredAt(), fields(
                    "month", reached.getMonth(), "thresholdPercent", reached.getThresholdPercent(),
                    "spentUsd", Json.usd(reached.getSpentMicroUsd()),
                    "budgetUsd", Json.usd(reached.getBudgetMicroUsd()))));
        }
        return Optional.empty();
    }

    private static Map<String, Object> fields(Object... namesAndValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return fields;
    }
}
