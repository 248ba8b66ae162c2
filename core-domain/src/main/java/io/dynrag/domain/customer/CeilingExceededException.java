package io.dynrag.domain.customer;

import io.dynrag.domain.DomainRuleViolation;

/** A customer tried to set one of its values above the ceiling an operator allows it. */
public class CeilingExceededException extends DomainRuleViolation {

    private final String field;
    private final long ceiling;

    public CeilingExceededException(String field, long requested, long ceiling) {
        super(field + " may be at most " + ceiling + " for your account, not " + requested
                + "; ask the operator to raise the ceiling");
        this.field = field;
        this.ceiling = ceiling;
    }

    public String field() {
        return field;
    }

    public long ceiling() {
        return ceiling;
    }
}
