package io.dynrag.vectorstore.dataset;

import com.lancedb.lance.Dataset;
import io.dynrag.vectorstore.memory.ArrowMemory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A tenant's directory of datasets as a whole: which models it has datasets for, and removing all
 * of them with every version (a deleted customer's data must go). Local directories are listed
 * and removed as files; in an S3 bucket the datasets are listed by prefix and each is dropped by
 * Lance.
 */
public final class TenantDirectories implements AutoCloseable {

    private final DatasetPaths paths;
    private final Map<String, String> storageOptions;
    private final ArrowMemory memory;
    private final Optional<S3Directories> bucket;

    public TenantDirectories(DatasetPaths paths, Map<String, String> storageOptions, ArrowMemory memory) {
        this.paths = paths;
        this.storageOptions = Map.copyOf(storageOptions);
        this.memory = memory;
        String root = paths.tenantUri("any");
        if (root.startsWith("s3://")) {
            this.bucket = Optional.of(new S3Directories(storageOptions));
        } else if (DatasetPaths.isObjectStore(root)) {
            throw new IllegalArgumentException("Lance roots are local directories or s3:// URIs, not " + root);
        } else {
            this.bucket = Optional.empty();
        }
    }

    /** Ids of the models the tenant has datasets for, sorted. */
    public List<String> modelsOf(String customerId) {
        String tenant = paths.tenantUri(customerId);
        return namesIn(tenant).stream()
                .map(DatasetPaths::modelOfDataset)
                .flatMap(Optional::stream)
                .sorted()
                .toList();
    }

    private List<String> namesIn(String tenant) {
        if (bucket.isPresent()) {
            return bucket.get().namesUnder(tenant);
        }
        Path directory = Path.of(tenant);
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(path -> path.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the datasets of " + tenant, e);
        }
    }

    /**
     * Removes every dataset of the tenant.
     *
     * @param beforeRemoval told the URI prefix of the tenant's datasets first, to close what holds them open
     * @return whether anything was removed
     */
    public boolean drop(String customerId, Consumer<String> beforeRemoval) {
        String tenant = paths.tenantUri(customerId);
        return memory.whileOpen(() -> {
            beforeRemoval.accept(tenant + "/");
            if (bucket.isPresent()) {
                List<String> models = modelsOf(customerId);
                models.forEach(model -> Dataset.drop(paths.datasetUri(customerId, model), storageOptions));
                return !models.isEmpty();
            }
            Path directory = Path.of(tenant);
            if (!Files.exists(directory)) {
                return false;
            }
            try (Stream<Path> entries = Files.walk(directory)) {
                for (Path path : entries.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove the datasets of " + customerId, e);
            }
        });
    }

    @Override
    public void close() {
        bucket.ifPresent(S3Directories::close);
    }
}
