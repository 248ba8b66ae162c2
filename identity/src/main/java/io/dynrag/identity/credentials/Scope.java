package io.dynrag.identity.credentials;

import java.util.Locale;
import java.util.Optional;

/** What an API key may do. A signed-in user of the customer may do everything. */
public enum Scope {
    /** upload documents */
    INGEST,
    /** search */
    SEARCH,
    /** read documents, usage and configuration */
    READ,
    /** manage API keys, configuration and provider keys */
    ADMIN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Scope> fromWireName(String name) {
        for (Scope scope : values()) {
            if (scope.wireName().equals(name)) {
                return Optional.of(scope);
            }
        }
        return Optional.empty();
    }
}
