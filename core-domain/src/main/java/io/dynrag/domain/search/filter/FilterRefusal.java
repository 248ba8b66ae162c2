package io.dynrag.domain.search.filter;

import io.dynrag.domain.DomainRuleViolation;

/** A filter that cannot be used; the message names the offending part by its JSON Pointer in the request. */
public final class FilterRefusal extends DomainRuleViolation {

    private final String pointer;

    FilterRefusal(String pointer, String reason) {
        super("filter at " + pointer + ": " + reason);
        this.pointer = pointer;
    }

    /** The offending part of the request, as a JSON Pointer (RFC 6901), e.g. {@code /filter/$or/1/metadata.year/$gte}. */
    public String pointer() {
        return pointer;
    }
}
