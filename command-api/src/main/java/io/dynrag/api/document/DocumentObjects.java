package io.dynrag.api.document;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The raw bytes of document versions in the object store, one object per content hash. */
public final class DocumentObjects {

    private static final Pattern DOCUMENT_KEY = Pattern.compile("tenants/([^/]+)/documents/([^/]+)/([0-9a-f]{64})");

    private final S3Client s3;
    private final String bucket;

    public DocumentObjects(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    public static String keyOf(String customerId, String documentId, String sha256) {
        return "tenants/" + customerId + "/documents/" + documentId + "/" + sha256;
    }

    /** The document a key made by {@link #keyOf} belongs to; empty for any other key. */
    public static Optional<String> documentIdOf(String key) {
        Matcher matched = DOCUMENT_KEY.matcher(key);
        return matched.matches() ? Optional.of(matched.group(2)) : Optional.empty();
    }

    /** The provider may be opened more than once: the SDK re-reads it when it retries. */
    public void put(String key, ContentStreamProvider content, long bytes, String contentType) {
        s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType).contentLength(bytes),
                RequestBody.fromContentProvider(content, bytes, contentType));
    }

    public boolean exists(String key) {
        try {
            s3.headObject(b -> b.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** The object's bytes, to be read once and closed; empty when there is no such object. */
    public Optional<InputStream> open(String key) {
        try {
            return Optional.of(s3.getObject(b -> b.bucket(bucket).key(key)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    public void delete(String key) {
        s3.deleteObject(b -> b.bucket(bucket).key(key));
    }

    public record StoredObject(String key, long bytes, Instant lastModified) {
    }

    /** Every object under {@code prefix}, fetched page by page as the stream is read. */
    public Stream<StoredObject> list(String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .map(object -> new StoredObject(object.key(), object.size(), object.lastModified()));
    }
}
