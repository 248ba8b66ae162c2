package io.dynrag.api.document.url;

import java.time.Duration;

/**
 * How much URL fetching one process takes on, so that fetches cannot exhaust its connections or its
 * disk, and how much of it one customer may take, so that one customer cannot keep every other out.
 *
 * @param fetches              URL fetches the process runs at once
 * @param fetchesPerCustomer   of those, how many one customer may run
 * @param tempBytes            bytes the temporary files of fetched pages may take in the process
 * @param tempBytesPerCustomer of those, how many one customer's pages may take
 * @param queueWait            how long a fetch waits for room before it is refused; zero refuses at once
 */
public record FetchBounds(int fetches, int fetchesPerCustomer, long tempBytes, long tempBytesPerCustomer,
                          Duration queueWait) {

    public FetchBounds {
        if (fetchesPerCustomer < 1 || fetches < fetchesPerCustomer) {
            throw new IllegalArgumentException("need 1 <= fetchesPerCustomer <= fetches, not " + fetchesPerCustomer
                    + " and " + fetches);
        }
        if (tempBytesPerCustomer < 1 || tempBytes < tempBytesPerCustomer) {
            throw new IllegalArgumentException("need 1 <= tempBytesPerCustomer <= tempBytes, not "
                    + tempBytesPerCustomer + " and " + tempBytes);
        }
        if (queueWait.isNegative()) {
            throw new IllegalArgumentException("the queue wait must not be negative");
        }
    }
}
