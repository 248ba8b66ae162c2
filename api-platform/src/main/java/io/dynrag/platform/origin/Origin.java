package io.dynrag.platform.origin;

import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Who issued a command and what it belongs to, recorded in the metadata of every event the command
 * causes, so the audit trail can answer "who did this, and as part of which request".
 *
 * @param actor         {@code user:<userId>}, {@code apiKey:<keyId>}, {@code admin:<userId>}, {@code operator},
 *                      {@code anonymous} (self sign-up) or {@code system:<component>}
 * @param correlationId the client's {@code X-Correlation-Id}, or one generated for the request or message
 */
public record Origin(String actor, String correlationId) {

    public static final String ANONYMOUS = "anonymous";
    private static final Pattern CORRELATION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    public Origin {
        Objects.requireNonNull(actor, "actor");
        if (!isValidCorrelationId(correlationId)) {
            throw new IllegalArgumentException("not a correlation id: " + correlationId);
        }
    }

    /** A background component acting on its own, e.g. {@code system:pipeline}. */
    public static Origin system(String component, String correlationId) {
        return new Origin("system:" + component, correlationId);
    }

    /** The same request or message, acted on by someone else (a component reacting to it, say). */
    public Origin actedOnBy(String otherActor) {
        return new Origin(otherActor, correlationId);
    }

    /** Short enough for a header and a log line, and free of characters that need escaping anywhere. */
    public static boolean isValidCorrelationId(String value) {
        return value != null && CORRELATION_ID.matcher(value).matches();
    }

    public static String newCorrelationId() {
        return UUID.randomUUID().toString();
    }
}
