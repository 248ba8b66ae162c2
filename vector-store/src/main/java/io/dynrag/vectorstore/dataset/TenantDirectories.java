package io.dynrag.vectorstore.dataset;

import io.dynrag.vectorstore.memory.ArrowMemory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A tenant's directory of datasets as a whole: which models it has datasets for, and removing all
 * of them with every version (a deleted customer's data must go). Both work on local roots only
 * so far.
 */
public final class TenantDirectories {

    private final DatasetPaths paths;
    private final ArrowMemory memory;

    public TenantDirectories(DatasetPaths paths, ArrowMemory memory) {
        this.paths = paths;
        this.memory = memory;
    }

    /** Ids of the models the tenant has datasets for (local stores only; empty for object stores). */
    public List<String> modelsOf(String customerId) {
        String tenant = paths.tenantUri(customerId);
        if (DatasetPaths.isObjectStore(tenant)) {
            return List.of();
        }
        Path directory = Path.of(tenant);
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> datasets = Files.list(directory)) {
            return datasets.map(path -> DatasetPaths.modelOfDataset(path.getFileName().toString()))
                    .flatMap(Optional::stream)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the datasets of " + customerId, e);
        }
    }

    /**
     * Removes every dataset of the tenant. An object-store root throws.
     *
     * @param beforeRemoval told the URI prefix of the tenant's datasets first, to close what holds them open
     * @return whether anything was removed
     */
    public boolean drop(String customerId, Consumer<String> beforeRemoval) {
        String tenant = paths.tenantUri(customerId);
        if (DatasetPaths.isObjectStore(tenant)) {
            throw new UnsupportedOperationException("dropping a tenant is implemented for local Lance roots only");
        }
        return memory.whileOpen(() -> {
            beforeRemoval.accept(tenant + "/");
            Path directory = Path.of(tenant);
            if (!Files.exists(directory)) {
                return false;
            }
            try (Stream<Path> paths = Files.walk(directory)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove the datasets of " + customerId, e);
            }
        });
    }
}
