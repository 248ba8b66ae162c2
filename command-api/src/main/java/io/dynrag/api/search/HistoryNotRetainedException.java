package io.dynrag.api.search;

import java.time.Instant;

/** A search {@code asOf} an instant older than the customer's time-travel retention keeps. */
public final class HistoryNotRetainedException extends RuntimeException {

    public HistoryNotRetainedException(Instant asOf, Instant earliest, long retentionDays) {
        super("'asOf' " + asOf + " is before the history kept: the earliest instant available is " + earliest
                + " (historyRetentionDays is " + retentionDays + ")");
    }
}
