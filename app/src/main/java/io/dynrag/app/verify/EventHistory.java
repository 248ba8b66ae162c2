package io.dynrag.app.verify;

import java.util.List;

/** The event store as a verification reads it. */
public interface EventHistory {

    /** The payloads of the aggregate's events, oldest first; empty for an unknown id. */
    List<Object> eventsOf(String aggregateId);

    /** Ids of every document the customer has uploaded, deleted ones included. */
    List<String> documentIdsOf(String customerId);
}
