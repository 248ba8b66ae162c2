package io.dynrag.identity.access;

import io.dynrag.identity.ratelimit.RateLimitState;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.time.Instant;
import java.util.function.Consumer;

/** {@code GET /v1/rate-limits}: where the caller stands against its customer's and its key's limits. */
public final class RateLimitEndpoints implements Consumer<RoutesConfig> {

    private final Access access;

    public RateLimitEndpoints(Access access) {
        this.access = access;
    }

    public record WindowView(int limit, int used, int remaining, Instant resetAt) {
    }

    public record CustomerLimits(String customerId, WindowView minute, WindowView day) {
    }

    public record KeyLimits(String keyId, WindowView minute, WindowView day) {
    }

    /** @param key null for a signed-in user */
    public record LimitsView(CustomerLimits customer, KeyLimits key) {
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.get("/v1/rate-limits", this::show);
    }

    private void show(Context ctx) {
        RateLimitState state = access.rateLimits(ctx);
        RateLimitState.Usage key = state.key();
        ctx.json(new LimitsView(
                new CustomerLimits(state.customer().id(), view(state.customer().minute()), view(state.customer().day())),
                key == null ? null : new KeyLimits(key.id(), view(key.minute()), view(key.day()))));
    }

    private static WindowView view(RateLimitState.Window window) {
        return new WindowView(window.limit(), window.used(), window.remaining(), window.resetAt());
    }
}
