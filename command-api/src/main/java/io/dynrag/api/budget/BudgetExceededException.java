package io.dynrag.api.budget;

/**
 * What an upload may cost would take the customer over its monthly embedding budget; the message gives the
 * estimate, the budget, and what is spent and held against it.
 */
public class BudgetExceededException extends RuntimeException {

    public BudgetExceededException(String message) {
        super(message);
    }
}
