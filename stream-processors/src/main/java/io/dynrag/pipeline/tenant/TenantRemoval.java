package io.dynrag.pipeline.tenant;

import io.dynrag.pipeline.lance.LanceChunkStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.util.List;

/**
 * Removes everything the pipeline stores for a deleted customer: its Lance datasets (every
 * version) and its uploaded objects. Idempotent, so a redelivered deletion is harmless.
 */
public final class TenantRemoval {

    private static final Logger log = LoggerFactory.getLogger(TenantRemoval.class);

    private final S3Client s3;
    private final String bucket;
    private final LanceChunkStore store;

    public TenantRemoval(S3Client s3, String bucket, LanceChunkStore store) {
        this.s3 = s3;
        this.bucket = bucket;
        this.store = store;
    }

    public static String objectPrefix(String customerId) {
        return "tenants/" + customerId + "/";
    }

    public void remove(String customerId) {
        boolean datasets = store.dropTenant(customerId);
        int objects = deleteObjects(objectPrefix(customerId));
        log.info("Removed customer {}: datasets {}, {} stored objects", customerId,
                datasets ? "deleted" : "absent", objects);
    }

    private int deleteObjects(String prefix) {
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
