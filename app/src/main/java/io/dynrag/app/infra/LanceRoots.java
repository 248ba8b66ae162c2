package io.dynrag.app.infra;

import io.dynrag.app.config.Settings;
import io.dynrag.vectorstore.LanceLocation;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the Lance datasets live, from {@code DYNRAG_LANCE_ROOT}: a local directory, or
 * {@code s3://bucket/prefix} on the S3 API server the S3 settings name (the same endpoint, region
 * and credentials as the uploaded documents; without a key, Lance finds AWS credentials itself).
 * Every role and command that opens the datasets asks here, so all of them address them the same way.
 */
public final class LanceRoots {

    private static final String S3_SCHEME = "s3://";
    /** The embedded S3 server's bucket for the datasets of {@code dev}. */
    public static final String DEV_BUCKET = "dynrag-lance";

    private LanceRoots() {
    }

    /** For {@code run <role>} and commands against external servers: {@code <data dir>/lance} when not set. */
    public static LanceLocation of(Settings settings, S3Settings s3) {
        return of(settings, s3, LanceLocation.local(settings.dataDir().resolve("lance")));
    }

    /**
     * @param s3 the S3 server of this run (in {@code dev}, the embedded one)
     * @param unset where the datasets live when {@code DYNRAG_LANCE_ROOT} is not set
     */
    public static LanceLocation of(Settings settings, S3Settings s3, LanceLocation unset) {
        return settings.lanceRoot().map(root -> of(root, s3)).orElse(unset);
    }

    /**
     * Where {@code dev} keeps the datasets when {@code DYNRAG_LANCE_ROOT} is not set: in the bucket
     * {@value #DEV_BUCKET} of the embedded S3 server, so that {@code dev} runs the object-store code
     * path production runs (BENCHMARKS.md has the cost). A data directory made before that keeps its
     * datasets in {@code lance/}, where they are.
     */
    public static LanceLocation devDefault(Settings settings, S3Settings embedded) {
        Path local = settings.dataDir().resolve("lance");
        return Files.isDirectory(local) ? LanceLocation.local(local) : inBucket(embedded, DEV_BUCKET);
    }

    /** {@code s3://<bucket>/lance} on the given server: a bucket of its own, beside the documents'. */
    private static LanceLocation inBucket(S3Settings s3, String bucket) {
        return of(S3_SCHEME + bucket + "/lance", s3);
    }

    private static LanceLocation of(String root, S3Settings s3) {
        if (root.startsWith(S3_SCHEME)) {
            return LanceLocation.s3(root, s3.endpoint(), s3.region(), s3.key());
        }
        return LanceLocation.local(Path.of(root));
    }
}
