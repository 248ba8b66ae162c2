package io.dynrag.webhooks;

import io.dynrag.identity.access.Access;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.http.Ids;
import io.dynrag.platform.http.QueryParameters;
import io.dynrag.platform.idempotency.IdempotentPosts;
import io.dynrag.platform.idempotency.NewIds;
import io.dynrag.platform.outbound.AddressPolicy;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A customer's webhooks: create (the signing secret is shown once), list, read, change, delete, rotate the
 * secret, send a test delivery, and read the delivery log. A signed-in user or an API key with the
 * {@code admin} scope; another customer's webhook is unknown here.
 */
public final class WebhookEndpoints implements Consumer<RoutesConfig> {

    static final int MAX_DESCRIPTION_LENGTH = 500;
    private static final int DEFAULT_PAGE = 20;
    private static final int MAX_PAGE = 100;
    private static final String EVENT_TYPES = WebhookEventType.SUBSCRIBABLE.stream()
            .map(WebhookEventType::wireName).collect(Collectors.joining(", "));

    private final Access access;
    private final Webhooks webhooks;
    private final WebhookDeliveries deliveries;
    private final WebhookAddressCheck addresses;
    private final Runnable deliveriesCreated;

    /** @param deliveriesCreated told when a test delivery is due, so it is sent without waiting */
    public WebhookEndpoints(Access access, Webhooks webhooks, WebhookDeliveries deliveries, AddressPolicy addresses,
                            Runnable deliveriesCreated) {
        this.access = access;
        this.webhooks = webhooks;
        this.deliveries = deliveries;
        this.addresses = new WebhookAddressCheck(addresses);
        this.deliveriesCreated = deliveriesCreated;
    }

    public record WebhookRequest(String url, List<String> eventTypes, String description, Boolean enabled) {
    }

    public record WebhookView(String webhookId, String url, List<String> eventTypes, String description,
                              boolean enabled, String disabledReason, Instant createdAt, Instant updatedAt) {
    }

    /** The answer to a creation: the only time the secret is shown. */
    public record CreatedWebhook(String webhookId, String url, List<String> eventTypes, String description,
                                 boolean enabled, String disabledReason, Instant createdAt, Instant updatedAt,
                                 String secret) {
    }

    public record WebhookList(List<WebhookView> webhooks) {
    }

    public record RotatedSecret(String webhookId, String secret) {
    }

    public record TestDelivery(String deliveryId) {
    }

    public record DeliveryView(String deliveryId, String eventId, String eventType, String status, int attempts,
                               Integer lastStatusCode, String lastError, Instant nextAttemptAt, Instant createdAt,
                               Instant lastAttemptAt, Instant deliveredAt) {
    }

    public record DeliveryPage(List<DeliveryView> deliveries, String next) {
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.post("/v1/webhooks", this::create);
        routes.get("/v1/webhooks", this::list);
        routes.get("/v1/webhooks/{webhookId}", this::read);
        routes.put("/v1/webhooks/{webhookId}", this::update);
        routes.delete("/v1/webhooks/{webhookId}", this::delete);
        routes.post("/v1/webhooks/{webhookId}/rotate-secret", this::rotateSecret);
        routes.post("/v1/webhooks/{webhookId}/test", this::test);
        routes.get("/v1/webhooks/{webhookId}/deliveries", this::deliveryLog);
    }

    private void create(Context ctx) {
        String customerId = access.customer(ctx, Scope.ADMIN).customerId();
        WebhookRequest request = body(ctx);
        if (request.url() == null) {
            throw ApiProblem.badRequest("'url' is required: the http or https URL to POST events to");
        }
        if (request.eventTypes() == null) {
            throw ApiProblem.badRequest("'eventTypes' is required: at least one of " + EVENT_TYPES);
        }
        String url = addresses.acceptable(request.url());
        Set<WebhookEventType> types = eventTypes(request.eventTypes());
        String description = description(request.description());
        NewIds ids = IdempotentPosts.newIds(ctx);
        UUID webhookId = UUID.fromString(ids.id(0));
        Optional<Webhooks.Webhook> earlier = ids.repeatable() ? webhooks.find(customerId, webhookId) : Optional.empty();
        if (earlier.isPresent()) {
            // An earlier attempt of this very request created the webhook and died before its answer was kept:
            // the secret, shown only there, is lost, so the webhook gets a new one.
            String secret = webhooks.rotateSecret(customerId, webhookId)
                    .orElseThrow(() -> unknown(webhookId.toString()));
            respondCreated(ctx, new Webhooks.Created(earlier.get(), secret));
            return;
        }
        try {
            respondCreated(ctx, webhooks.create(customerId, webhookId, url, types, description == null ? ""
                    : description, request.enabled() == null || request.enabled()));
        } catch (Webhooks.LimitReachedException e) {
            throw new ApiProblem(409, "Conflict", e.getMessage());
        }
    }

    private static void respondCreated(Context ctx, Webhooks.Created created) {
        IdempotentPosts.answerShowingSecret(ctx, 201, createdWebhook(created.webhook(), created.secret()),
                createdWebhook(created.webhook(), null));
    }

    private static CreatedWebhook createdWebhook(Webhooks.Webhook webhook, String secret) {
        return new CreatedWebhook(webhook.webhookId().toString(), webhook.url(), wire(webhook.eventTypes()),
                webhook.description(), webhook.enabled(), webhook.disabledReason(), webhook.createdAt(),
                webhook.updatedAt(), secret);
    }

    private void list(Context ctx) {
        String customerId = access.customer(ctx, Scope.ADMIN).customerId();
        ctx.json(new WebhookList(webhooks.list(customerId).stream().map(WebhookEndpoints::view).toList()));
    }

    private void read(Context ctx) {
        String customerId = access.customer(ctx, Scope.ADMIN).customerId();
        ctx.json(view(existing(customerId, ctx)));
    }

    private void update(Context ctx) {
        String customerId = access.customer(ctx, Scope.ADMIN).customerId();
        UUID webhookId = existing(customerId, ctx).webhookId();
        WebhookRequest request = body(ctx);
        if (request.url() == null && request.eventTypes() == null && request.description() == null
                && request.enabled() == null) {
            throw ApiProblem.badRequest("name at least one of 'url', 'eventTypes', 'description', 'enabled' to change");
        }
        Webhooks.Change change = new Webhooks.Change(
                request.url() == null ? null : addresses.acceptable(request.url()),
                request.eventTypes() == null ? null : eventTypes(request.eventTypes()),
                description(request.description()),
                request.enabled());
        ctx.json(view(webhooks.update(customerId, webhookId, change).orElseThrow(() -> unknown(webhookId.toString()))));
    }

    private void delete(Context ctx) {
        String customerId = access.customer(ctx, Scope.ADMIN).customerId();
        UUID webhookId = webhookId(ctx);
        if (!webhooks.delete(customerId, webhookId)) {
            throw unknown(webhookId.toString());
        }
        ctx.status(204);
    }

    private void rotateSecret(Context ctx) {
        String customerId = access.customer(ctx, Scope.ADMIN).customerId();
        UUID webhookId = webhookId(ctx);
        String secret = webhooks.rotateSecret(customerId, webhookId).orElseThrow(() -> unknown(webhookId.toString()));
        IdempotentPosts.answerShowingSecret(ctx, 200, new RotatedSecret(webhookId.toString(), secret),
                new RotatedSecret(webhookId.toString(), null));
    }

    private void test(Context ctx) {
        String customerId = access.customer(ctx, Scope.ADMIN).customerId();
        Webhooks.Webhook webhook = existing(customerId, ctx);
        if (!webhook.enabled()) {
            throw new ApiProblem(409, "Conflict", "the webhook is disabled; enable it with PUT {\"enabled\": true} "
                    + "first");
        }
        UUID deliveryId = deliveries.enqueueTest(webhook.webhookId());
        deliveriesCreated.run();
        ctx.status(202).json(new TestDelivery(deliveryId.toString()));
    }

    private void deliveryLog(Context ctx) {
        String customerId = access.customer(ctx, Scope.ADMIN).customerId();
        UUID webhookId = existing(customerId, ctx).webhookId();
        int limit = QueryParameters.limit(ctx, DEFAULT_PAGE, MAX_PAGE);
        String after = ctx.queryParam("after");
        if (after != null && !Ids.isUuid(after)) {
            throw ApiProblem.badRequest("'after' must be the deliveryId that ended the previous page");
        }
        List<DeliveryView> page = deliveries.page(webhookId, after == null ? null : UUID.fromString(after), limit)
                .stream()
                .map(delivery -> new DeliveryView(delivery.deliveryId().toString(), delivery.eventId(),
                        delivery.eventType(), delivery.status().name(), delivery.attempts(), delivery.lastStatusCode(),
                        delivery.lastError(), delivery.nextAttemptAt(), delivery.createdAt(), delivery.lastAttemptAt(),
                        delivery.deliveredAt()))
                .toList();
        ctx.json(new DeliveryPage(page, page.size() == limit ? page.getLast().deliveryId() : null));
    }

    private static WebhookRequest body(Context ctx) {
        if (ctx.body().isBlank()) {
            throw ApiProblem.badRequest("the body must be a JSON object with 'url', 'eventTypes', 'description' "
                    + "and 'enabled'");
        }
        return ctx.bodyAsClass(WebhookRequest.class);
    }

    private Webhooks.Webhook existing(String customerId, Context ctx) {
        UUID webhookId = webhookId(ctx);
        return webhooks.find(customerId, webhookId).orElseThrow(() -> unknown(webhookId.toString()));
    }

    private static UUID webhookId(Context ctx) {
        String id = ctx.pathParam("webhookId");
        if (!Ids.isUuid(id)) {
            throw unknown(id);
        }
        return UUID.fromString(id);
    }

    private static ApiProblem unknown(String webhookId) {
        return ApiProblem.notFound("no webhook " + webhookId);
    }

    private static Set<WebhookEventType> eventTypes(List<String> names) {
        if (names.isEmpty()) {
            throw ApiProblem.badRequest("'eventTypes' must name at least one of " + EVENT_TYPES);
        }
        Set<WebhookEventType> types = EnumSet.noneOf(WebhookEventType.class);
        for (String name : names) {
            WebhookEventType type = WebhookEventType.fromWireName(name)
                    .filter(WebhookEventType.SUBSCRIBABLE::contains)
                    .orElseThrow(() -> ApiProblem.badRequest("unknown event type '" + name + "' in 'eventTypes'; "
                            + "the event types are " + EVENT_TYPES));
            types.add(type);
        }
        return types;
    }

    private static String description(String description) {
        if (description == null) {
            return null;
        }
        String stripped = description.strip();
        if (stripped.length() > MAX_DESCRIPTION_LENGTH) {
            throw ApiProblem.badRequest("'description' must be at most " + MAX_DESCRIPTION_LENGTH + " characters");
        }
        return stripped;
    }

    private static WebhookView view(Webhooks.Webhook webhook) {
        return new WebhookView(webhook.webhookId().toString(), webhook.url(), wire(webhook.eventTypes()),
                webhook.description(), webhook.enabled(), webhook.disabledReason(), webhook.createdAt(),
                webhook.updatedAt());
    }

    private static List<String> wire(Set<WebhookEventType> types) {
        return types.stream().map(WebhookEventType::wireName).sorted().toList();
    }
}
