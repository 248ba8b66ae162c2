package io.dynrag.vectorstore.dataset;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where each tenant's datasets are: {@code {lanceRoot}/{customerId}/chunks-{model}.lance}. The
 * customer and model ids become path segments, so only a safe alphabet passes, and never
 * {@code .} or {@code ..}: no id can reach outside its tenant's directory.
 */
public final class DatasetPaths {

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final String PREFIX = "chunks-";
    private static final String SUFFIX = ".lance";

    private final String root;

    /** @param lanceRoot a local directory or an object store URI such as {@code s3://bucket/prefix} */
    public DatasetPaths(String lanceRoot) {
        Objects.requireNonNull(lanceRoot, "lanceRoot");
        this.root = lanceRoot.endsWith("/") ? lanceRoot.substring(0, lanceRoot.length() - 1) : lanceRoot;
    }

    /** The dataset of the tenant's chunks embedded by {@code model}. */
    public String datasetUri(String customerId, String model) {
        return tenantUri(customerId) + "/" + PREFIX + pathSegment("model id", model) + SUFFIX;
    }

    /** The directory holding every dataset of the tenant. */
    public String tenantUri(String customerId) {
        return root + "/" + pathSegment("customer id", customerId);
    }

    /** Whether {@code uri} is in an object store rather than a local directory. */
    public static boolean isObjectStore(String uri) {
        return uri.contains("://");
    }

    /** The model whose dataset a tenant directory's entry {@code name} is; empty for anything else. */
    public static Optional<String> modelOfDataset(String name) {
        return name.startsWith(PREFIX) && name.endsWith(SUFFIX)
                ? Optional.of(name.substring(PREFIX.length(), name.length() - SUFFIX.length()))
                : Optional.empty();
    }

    private static String pathSegment(String what, String value) {
        Objects.requireNonNull(value, what);
        if (!SAFE_NAME.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw new IllegalArgumentException(what + " must be 1 to 128 of [A-Za-z0-9._-] and not . or ..: '"
                    + value + "'");
        }
        return value;
    }
}
