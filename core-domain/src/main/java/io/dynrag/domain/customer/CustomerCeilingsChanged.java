package io.dynrag.domain.customer;

/** The ceilings an operator set for the customer, all of them; null where the running default applies. */
public record CustomerCeilingsChanged(String customerId, CustomerCeilings ceilings) {
}
