package io.dynrag.app.verify;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** Uploaded objects in an S3 bucket, hashed as they stream by, so no object is held in memory. */
final class S3UploadedObjects implements UploadedObjects {

    private final S3Client s3;
    private final String bucket;

    S3UploadedObjects(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    @Override
    public Optional<StoredObject> find(String key) {
        MessageDigest sha256 = sha256();
        try (ResponseInputStream<GetObjectResponse> object = s3.getObject(b -> b.bucket(bucket).key(key));
             DigestInputStream digesting = new DigestInputStream(object, sha256)) {
            long bytes = digesting.transferTo(OutputStream.nullOutputStream());
            return Optional.of(new StoredObject(bytes, HexFormat.of().formatHex(sha256.digest())));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (NoSuchBucketException e) {
            throw e;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read object " + key, e);
        }
    }

    @Override
    public List<String> keysUnder(String prefix) {
        List<String> keys = new ArrayList<>();
        s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .map(S3Object::key).forEach(keys::add);
        return keys;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
