package io.dynrag.api;

/**
 * @param adminToken     bearer secret of the operator; null or blank disables admin endpoints
 * @param maxUploadBytes largest document accepted by an upload
 */
public record CommandApiSettings(
        String httpHost,
        int httpPort,
        String adminToken,
        long maxUploadBytes,
        String documentBucket,
        String kafkaBootstrapServers,
        String publisherTransactionalId) {

    /** JSON bodies are small; anything larger is refused before it is parsed. */
    public static final long MAX_JSON_BYTES = 1_000_000;
}
