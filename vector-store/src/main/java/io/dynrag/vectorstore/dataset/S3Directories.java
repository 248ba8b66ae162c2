package io.dynrag.vectorstore.dataset;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CommonPrefix;

/**
 * The "directories" under an {@code s3://} URI, read with the same endpoint, region and credentials
 * Lance is given: Lance's Java API opens datasets by name but lists none.
 */
final class S3Directories implements AutoCloseable {

    private final S3Client client;

    S3Directories(Map<String, String> storageOptions) {
        S3ClientBuilder builder = S3Client.builder()
                .forcePathStyle(!"true".equals(storageOptions.get("aws_virtual_hosted_style_request")))
                .region(Region.of(storageOptions.getOrDefault("aws_region", "us-east-1")))
                // The SDK's default checksums are not understood by every S3 clone.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        Optional.ofNullable(storageOptions.get("aws_endpoint")).map(URI::create).ifPresent(builder::endpointOverride);
        String key = storageOptions.get("aws_access_key_id");
        builder.credentialsProvider(key == null ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(key, storageOptions.get("aws_secret_access_key"))));
        this.client = builder.build();
    }

    /** The names of the directories right under {@code uri} ({@code s3://bucket/prefix}), sorted. */
    List<String> namesUnder(String uri) {
        URI parsed = URI.create(uri);
        String bucket = parsed.getHost();
        String prefix = parsed.getPath().replaceFirst("^/", "");
        String directory = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
        return client.listObjectsV2Paginator(request -> request.bucket(bucket).prefix(directory).delimiter("/"))
                .commonPrefixes().stream()
                .map(CommonPrefix::prefix)
                .map(name -> name.substring(directory.length(), name.length() - 1))
                .sorted()
                .toList();
    }

    @Override
    public void close() {
        client.close();
    }
}
