package io.dynrag.app.infra;

import io.dynrag.app.config.InvalidSettingException;
import io.dynrag.app.config.Settings;
import io.dynrag.vectorstore.LanceLocation.S3Key;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and as whom to reach the S3 API, and the bucket that holds our objects.
 *
 * @param endpoint an S3 API server of its own (MinIO, the embedded one); absent, AWS S3 in the region
 * @param key      an explicit access key; absent, the AWS SDK's default credentials (environment, profile,
 *                 container or instance role)
 */
public record S3Settings(Optional<URI> endpoint, String region, Optional<S3Key> key, String bucket) {

    /** The embedded server's key when none is set, as dev has always used. */
    private static final S3Key DEV_KEY = new S3Key("dynrag", "dynrag-secret");

    public S3Settings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(key, "key");
        requireText(region, "region");
        requireText(bucket, "bucket");
    }

    /** A server of its own with an explicit key: the embedded server, tests. */
    public S3Settings(URI endpoint, String region, String accessKey, String secretKey, String bucket) {
        this(Optional.of(endpoint), region, Optional.of(new S3Key(accessKey, secretKey)), bucket);
    }

    /** For {@code run} and the commands against external servers: endpoint and key as set, each optional. */
    public static S3Settings external(Settings settings) {
        return new S3Settings(settings.s3Endpoint().map(URI::create), settings.s3Region(), key(settings),
                settings.s3Bucket());
    }

    /** For an embedded server at {@code endpoint}: the region and bucket set, the {@link #embeddedKey}. */
    public static S3Settings embedded(Settings settings, URI endpoint) {
        return new S3Settings(Optional.of(endpoint), settings.s3Region(), Optional.of(embeddedKey(settings)),
                settings.s3Bucket());
    }

    /** The key an embedded server is started with, which needs one: the one set, else a fixed one for dev. */
    public static S3Key embeddedKey(Settings settings) {
        return key(settings).orElse(DEV_KEY);
    }

    private static Optional<S3Key> key(Settings settings) {
        if (settings.s3AccessKey().isPresent() != settings.s3SecretKey().isPresent()) {
            throw new InvalidSettingException("DYNRAG_S3_ACCESS_KEY and DYNRAG_S3_SECRET_KEY are set together or not "
                    + "at all (then the AWS default credentials are used), but only "
                    + (settings.s3AccessKey().isPresent() ? "DYNRAG_S3_ACCESS_KEY" : "DYNRAG_S3_SECRET_KEY")
                    + " is set");
        }
        return settings.s3AccessKey().map(id -> new S3Key(id, settings.s3SecretKey().orElseThrow()));
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    /** Keeps the secret out of logs and error messages. */
    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint.map(URI::toString).orElse("AWS S3") + ", region=" + region
                + ", accessKey=" + key.map(S3Key::id).orElse("default credentials") + ", bucket=" + bucket + "]";
    }
}
