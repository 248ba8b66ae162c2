package io.dynrag.app.infra;

import java.net.URI;
import java.util.Objects;

/** Where and as whom to reach the S3 API, and the bucket that holds our objects. */
public record S3Settings(URI endpoint, String region, String accessKey, String secretKey, String bucket) {

    public S3Settings {
        Objects.requireNonNull(endpoint, "endpoint");
        requireText(region, "region");
        requireText(accessKey, "accessKey");
        requireText(secretKey, "secretKey");
        requireText(bucket, "bucket");
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    /** Keeps the secret out of logs and error messages. */
    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", accessKey=" + accessKey
                + ", bucket=" + bucket + "]";
    }
}
