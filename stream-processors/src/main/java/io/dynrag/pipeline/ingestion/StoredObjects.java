package io.dynrag.pipeline.ingestion;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.util.List;

/** The uploaded document bytes in the object store: read them, and delete them when their owner is gone. */
public final class StoredObjects implements DocumentSource {

    private final S3Client s3;
    private final String bucket;

    public StoredObjects(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    @Override
    public byte[] read(String key, long maxBytes) {
        try {
            try (var object = s3.getObject(b -> b.bucket(bucket).key(key))) {
                Long length = object.response().contentLength();
                if (length != null && length > maxBytes) {
                    throw new DocumentTooLargeException(length, maxBytes);
                }
                return object.readAllBytes();
            }
        } catch (IOException e) {
            throw new StorageUnavailableException("reading the object failed", e);
        } catch (NoSuchKeyException e) {
            throw new MissingObjectException(key);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new MissingObjectException(key);
            }
            throw new StorageUnavailableException("the object store answered " + e.statusCode(), e);
        } catch (SdkClientException e) {
            throw new StorageUnavailableException("the object store is unreachable", e);
        }
    }

    @Override
    public int deletePrefix(String prefix) {
        int deleted = 0;
        for (var page : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix))) {
            List<ObjectIdentifier> keys = page.contents().stream()
                    .map(S3Object::key)
                    .map(key -> ObjectIdentifier.builder().key(key).build())
                    .toList();
            if (!keys.isEmpty()) {
                s3.deleteObjects(b -> b.bucket(bucket).delete(Delete.builder().objects(keys).quiet(true).build()));
                deleted += keys.size();
            }
        }
        return deleted;
    }
}
