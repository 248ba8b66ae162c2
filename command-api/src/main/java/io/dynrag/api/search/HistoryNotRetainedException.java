package io.dynrag.api.search;

import java.time.Instant;

/**
 * A search {@code asOf} an instant older than the customer's time-travel retention keeps, or within a document
 * version whose rows the cleanup of the history removed.
 */
public final class HistoryNotRetainedException extends RuntimeException {

    public HistoryNotRetainedException(Instant asOf, Instant earliest, long retentionDays) {
        super("'asOf' " + asOf + " is before the history kept: the earliest instant available is " + earliest
                + " (historyRetentionDays is " + retentionDays + ")");
    }

    public HistoryNotRetainedException(String documentId, int version) {
        super("version " + version + " of document " + documentId + " was replaced before the history kept begins: "
                + "its rows were cleaned up with the history older than your time-travel retention "
                + "(historyRetentionDays)");
    }
}
