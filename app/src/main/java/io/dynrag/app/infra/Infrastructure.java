package io.dynrag.app.infra;

import io.dynrag.schemas.connection.KafkaConnection;
import io.dynrag.vectorstore.LanceLocation;

/** Where the servers every role talks to are: embedded in {@code dev}, external otherwise. */
public record Infrastructure(
        KafkaConnection kafka,
        String jdbcUrl,
        String jdbcUser,
        String jdbcPassword,
        S3Settings s3,
        LanceLocation lance) {

    @Override
    public String toString() {
        return "Infrastructure[kafka=" + kafka + ", jdbc=" + jdbcUrl + ", s3=" + s3
                + ", lance=" + lance + "]";
    }
}
