package io.dynrag.identity.credentials;

/** The credential is valid, but an operator suspended its customer: nothing is served until it is reactivated. */
public class CustomerSuspendedException extends RuntimeException {

    public CustomerSuspendedException() {
        super("the customer account is suspended; contact the operator");
    }
}
