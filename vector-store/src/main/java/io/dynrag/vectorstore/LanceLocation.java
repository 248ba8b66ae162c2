package io.dynrag.vectorstore;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where the Lance datasets live: a local directory, or an object store URI such as
 * {@code s3://bucket/prefix} with the storage options Lance needs to reach it. Every process that
 * reads or writes the datasets is given one of these, so all of them address the same place the
 * same way.
 *
 * @param root a local directory (absolute) or an object store URI
 * @param storageOptions Lance storage options for object stores ({@code aws_endpoint},
 *     {@code aws_access_key_id}, ...); empty for a local directory
 */
public record LanceLocation(String root, Map<String, String> storageOptions) {

    public LanceLocation {
        Objects.requireNonNull(root, "root");
        storageOptions = Map.copyOf(storageOptions);
    }

    /** A local directory. */
    public static LanceLocation local(Path directory) {
        return new LanceLocation(directory.toAbsolutePath().normalize().toString(), Map.of());
    }

    /** An access key of the S3 API. */
    public record S3Key(String id, String secret) {

        public S3Key {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(secret, "secret");
        }

        /** Keeps the secret out of logs and error messages. */
        @Override
        public String toString() {
            return "S3Key[id=" + id + "]";
        }
    }

    /** An {@code s3://bucket/prefix} root on an S3 API server, with an explicit access key: dev, tests. */
    public static LanceLocation s3(String root, URI endpoint, String region, String accessKey, String secretKey) {
        return s3(root, Optional.of(endpoint), region, Optional.of(new S3Key(accessKey, secretKey)));
    }

    /**
     * An {@code s3://bucket/prefix} root. On a server of its own ({@code endpoint}) objects are addressed path-style
     * (bucket in the path, as MinIO and local servers need), and plain HTTP is allowed only when the endpoint itself
     * is {@code http}; without one it is AWS S3 in the region, addressed the way AWS prefers (bucket in the host).
     * Without a key the options name none, so Lance finds credentials the AWS way (environment, profile, container
     * or instance role).
     */
    public static LanceLocation s3(String root, Optional<URI> endpoint, String region, Optional<S3Key> key) {
        if (!root.startsWith("s3://") || root.length() <= "s3://".length()) {
            throw new IllegalArgumentException("an S3 Lance root is s3://<bucket>[/<prefix>], not '" + root + "'");
        }
        Map<String, String> options = new TreeMap<>();
        options.put("aws_region", region);
        key.ifPresent(explicit -> {
            options.put("aws_access_key_id", explicit.id());
            options.put("aws_secret_access_key", explicit.secret());
        });
        options.put("aws_virtual_hosted_style_request", String.valueOf(endpoint.isEmpty()));
        endpoint.ifPresent(server -> {
            options.put("aws_endpoint", server.toString());
            options.put("aws_allow_http", String.valueOf("http".equalsIgnoreCase(server.getScheme())));
        });
        return new LanceLocation(root, options);
    }

    /** The bucket of an {@code s3://} root; empty for a local directory. */
    public Optional<String> bucket() {
        if (!root.startsWith("s3://")) {
            return Optional.empty();
        }
        return Optional.of(root.substring("s3://".length()).split("/", 2)[0]);
    }

    /** Keeps the secret out of logs and error messages. */
    @Override
    public String toString() {
        return storageOptions.isEmpty() ? root
                : root + " (endpoint " + storageOptions.getOrDefault("aws_endpoint", "AWS S3") + ")";
    }
}
