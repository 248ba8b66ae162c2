package io.dynrag.app.infra;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

/**
 * The one place that builds S3 clients, so AWS S3, MinIO and the embedded S3 server are all
 * addressed the same way by every role.
 */
public final class S3Clients {

    private S3Clients() {
    }

    /**
     * Without an endpoint the client talks to AWS S3 in the region, bucket-in-host; without a key it uses the SDK's
     * default credentials (environment, profile, container or instance role).
     */
    public static S3Client create(S3Settings settings) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(settings.region()))
                // The SDK's default checksums (CRC trailers on every request) are not understood by every S3 clone.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        settings.endpoint().ifPresent(endpoint -> builder.endpointOverride(endpoint)
                // Bucket-in-host addressing needs wildcard DNS, which MinIO and local servers do not have.
                .forcePathStyle(true));
        settings.key().ifPresent(key -> builder.credentialsProvider(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(key.id(), key.secret()))));
        return builder.build();
    }

    /** Creates the bucket unless it exists; safe to call from several roles at start-up. */
    public static void ensureBucket(S3Client client, String bucket) {
        if (bucketExists(client, bucket)) {
            return;
        }
        try {
            client.createBucket(request -> request.bucket(bucket));
        } catch (BucketAlreadyOwnedByYouException createdMeanwhile) {
            // another role created it between our check and our request: the outcome we wanted
        }
    }

    private static boolean bucketExists(S3Client client, String bucket) {
        try {
            client.headBucket(request -> request.bucket(bucket));
            return true;
        } catch (NoSuchBucketException absent) {
            return false;
        }
    }
}
