package io.dynrag.webhooks;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** What a delivery reports. A webhook subscribes to any of the first four; test deliveries go to any webhook. */
public enum WebhookEventType {
    DOCUMENT_INDEXED("document.indexed"),
    DOCUMENT_FAILED("document.failed"),
    DOCUMENT_DELETED("document.deleted"),
    BUDGET_THRESHOLD_REACHED("budget.threshold_reached"),
    TEST("webhook.test");

    public static final Set<WebhookEventType> SUBSCRIBABLE =
            EnumSet.of(DOCUMENT_INDEXED, DOCUMENT_FAILED, DOCUMENT_DELETED, BUDGET_THRESHOLD_REACHED);

    private final String wireName;

    WebhookEventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<WebhookEventType> fromWireName(String name) {
        for (WebhookEventType type : values()) {
            if (type.wireName.equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
