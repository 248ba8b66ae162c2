package io.dynrag.domain;

/**
 * A command broke a rule of the domain. The message is written for the client that sent
 * the command: the API turns it into a 4xx answer, never a 5xx.
 */
public class DomainRuleViolation extends RuntimeException {

    public DomainRuleViolation(String message) {
        super(message);
    }
}
