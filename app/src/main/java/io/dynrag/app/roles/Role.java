package io.dynrag.app.roles;

import java.util.Locale;

/** The deployable parts of Dynamic RAG; each scales on its own, {@code dev} runs them all. */
public enum Role {
    /** HTTP API, command handling on the event store, publishing events to Kafka, search. */
    API,
    /** The Kafka Streams ingestion topology. */
    PIPELINE,
    /** Read models built from the Kafka topics. */
    PROJECTIONS;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
