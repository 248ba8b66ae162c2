package io.dynrag.domain.customer;

/**
 * The customer aggregate as the event-sourcing configuration registers it. {@link Customer} itself is
 * package-private: no code outside this package can hold a customer or call its handlers, so a customer changes
 * only through commands, and only Axon builds one, from its events.
 */
public final class CustomerAggregate {

    /** The class to register with Axon ({@code Configurer.configureAggregate}); Axon reaches its handlers reflectively. */
    public static final Class<?> TYPE = Customer.class;

    private CustomerAggregate() {
    }
}
