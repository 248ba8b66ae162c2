package io.dynrag.domain.document.filter;

import io.dynrag.domain.DomainRuleViolation;

/** A filter that cannot be used; the message names the offending part by its JSON Pointer in the request. */
public final class FilterRefusal extends DomainRuleViolation {

    private final String pointer;

    FilterRefusal(String pointer, String reason) {
        super((pointer.isEmpty() ? "filter" : "filter at " + pointer) + ": " + reason);
        this.pointer = pointer;
    }

    /**
     * The offending part of the request, as a JSON Pointer (RFC 6901), e.g. {@code /filter/$or/1/metadata.year/$gte}
     * in a body, or {@code /$or/1} within a parameter that holds the filter alone ({@code ""}: all of it).
     */
    public String pointer() {
        return pointer;
    }
}
