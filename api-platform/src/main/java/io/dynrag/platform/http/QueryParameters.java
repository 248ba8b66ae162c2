package io.dynrag.platform.http;

import io.javalin.http.Context;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Query parameters shared by several endpoints, each refused with a 400 that names it. */
public final class QueryParameters {

    private static final Instant FIRST_INSTANT = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant LAST_INSTANT = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private QueryParameters() {
    }

    /**
     * {@code limit}: absent or blank gives {@code defaultLimit}.
     *
     * @throws ApiProblem 400 unless a whole number from 1 to {@code max}
     */
    public static int limit(Context ctx, int defaultLimit, int max) {
        return limit(ctx.queryParam("limit"), defaultLimit, max);
    }

    /** {@link #limit(Context, int, int)} of a value given otherwise (an MCP tool's argument). */
    public static int limit(String value, int defaultLimit, int max) {
        if (value == null || value.isBlank()) {
            return defaultLimit;
        }
        try {
            int limit = Integer.parseInt(value.strip());
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiProblem.badRequest("'limit' must be a whole number from 1 to " + max);
    }

    /**
     * An ISO-8601 instant with an offset, such as {@code 2026-11-26T14:22:40Z} or
     * {@code 2026-11-26T15:22:40.5+01:00}, of a four-digit year ({@link #ofFourDigitYear}); absent or blank is empty.
     *
     * @throws ApiProblem 400 for anything else
     */
    public static Optional<Instant> instant(Context ctx, String name) {
        return instant(name, ctx.queryParam(name));
    }

    /** {@link #instant(Context, String)} of a value given otherwise (an MCP tool's argument). */
    public static Optional<Instant> instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            Instant at = Instant.parse(value.strip());
            if (ofFourDigitYear(at)) {
                return Optional.of(at);
            }
        } catch (DateTimeParseException ignored) {
            // answered below
        }
        throw ApiProblem.badRequest("'" + name + "' must be an ISO-8601 instant like 2026-11-26T14:22:40Z, of a year "
                + "from 0000 to 9999");
    }

    /**
     * Whether an instant lies in the years 0000 to 9999, as ISO-8601 writes years without an agreement to more
     * digits. Instants beyond them (Java reads {@code +999999999-12-31T23:59:59Z}) are no times a request means,
     * and neither {@link java.sql.Timestamp} nor PostgreSQL's {@code timestamptz} can hold them all.
     */
    public static boolean ofFourDigitYear(Instant at) {
        return !at.isBefore(FIRST_INSTANT) && !at.isAfter(LAST_INSTANT);
    }
}
