package io.dynrag.vectorstore.dataset;

import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.c.Data;
import org.apache.arrow.c.ArrowArrayStream;
import java.util.List;
import java.io.UncheckedIOException;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import com.lancedb.lance.Dataset;
import com.lancedb.lance.ReadOptions;
import com.lancedb.lance.WriteParams;
import io.dynrag.vectorstore.memory.ArrowMemory;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Opening and creating the chunk datasets of one store: every call opens its own handle (in the
 * memory the caller gives), at the latest version or at one it names, so a read sees one whole
 * version however writers go on. Writes to one dataset from this process take turns.
 */
public final class Datasets {

    private final DatasetPaths paths;
    private final Map<String, String> storageOptions;
    private final ArrowMemory memory;
    /** Each dataset's vector width is its model's; the first write of a dataset fixes it. */
    private final ConcurrentMap<Integer, ChunkTable> tables = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Lock> writeLocks = new ConcurrentHashMap<>();

    /**
     * @param storageOptions Lance storage options for object stores ({@code aws_endpoint},
     *     {@code aws_access_key_id}, {@code aws_region}, ...); empty for local directories
     */
    public Datasets(DatasetPaths paths, Map<String, String> storageOptions, ArrowMemory memory) {
        this.paths = paths;
        this.storageOptions = Map.copyOf(storageOptions);
        this.memory = memory;
    }

    public DatasetPaths paths() {
        return paths;
    }

    public ArrowMemory memory() {
        return memory;
    }

    /**
     * Runs {@code action} on the tenant's dataset for the model, as of {@code version} (empty for
     * the latest); {@code absent} when the dataset does not exist.
     */
    public <T> T read(String customerId, String model, OptionalLong version, T absent, Function<Dataset, T> action) {
        String uri = paths.datasetUri(customerId, model);
        return memory.whileOpen(() -> memory.withChild("read", allocator -> {
            Optional<Dataset> opened = open(allocator, uri, version);
            if (opened.isEmpty()) {
                return absent;
            }
            try (Dataset dataset = opened.get()) {
                return action.apply(dataset);
            }
        }));
    }

    /** The dataset at {@code uri}; empty when it does not exist and no version was asked for. */
    public Optional<Dataset> open(BufferAllocator allocator, String uri, OptionalLong version) {
        ReadOptions.Builder options = new ReadOptions.Builder().setStorageOptions(storageOptions);
        version.ifPresent(v -> options.setVersion((int) v));
        Dataset dataset;
        try {
            dataset = Dataset.open(allocator, uri, options.build());
        } catch (IllegalArgumentException e) {
            // Lance reports a missing dataset (no _versions directory) only through the message.
            if (version.isEmpty() && String.valueOf(e.getMessage()).contains("was not found")) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.of(dataset);
    }

    /**
     * Creates the dataset at {@code uri} holding {@code firstRows}, or adds them to the one another writer
     * created at the same moment. It appends rather than creates: Lance commits a create that lost the race
     * for the first version as an overwrite of the winner's, which would drop whatever the winner wrote
     * meanwhile; an append that loses fails ("Dataset already exists"), and the winner's dataset is used.
     */
    public void createByAppending(BufferAllocator allocator, String uri, List<ChunkRow> firstRows) {
        byte[] arrowStream = tableFor(firstRows.getFirst().vector().length).toArrowStream(firstRows, allocator);
        try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(arrowStream), allocator);
                ArrowArrayStream source = ArrowArrayStream.allocateNew(allocator)) {
            Data.exportArrayStream(allocator, reader, source);
            Dataset.create(allocator, source, uri, new WriteParams.Builder()
                    .withMode(WriteParams.WriteMode.APPEND)
                    .withStorageOptions(storageOptions)
                    .build()).close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read back the serialised rows", e);
        } catch (RuntimeException e) {
            // Another writer created it first: its dataset is there, else the failure was another one.
            open(allocator, uri, OptionalLong.empty()).orElseThrow(() -> e).close();
        }
    }

    /** Runs {@code write} once the writes to the dataset at {@code uri} that came first are done. */
    public <T> T inTurn(String uri, Supplier<T> write) {
        Lock writeLock = writeLocks.computeIfAbsent(uri, key -> new ReentrantLock());
        writeLock.lock();
        try {
            return write.get();
        } finally {
            writeLock.unlock();
        }
    }

    /** The columns of the dataset, by its vector width. */
    public ChunkTable tableOf(Dataset dataset) {
        return tableFor(dimensionsOf(dataset));
    }

    private ChunkTable tableFor(int dimensions) {
        return tables.computeIfAbsent(dimensions, ChunkTable::new);
    }

    public static int dimensionsOf(Dataset dataset) {
        Field vector = dataset.getSchema().findField(ChunkTable.VECTOR);
        if (!(vector.getType() instanceof ArrowType.FixedSizeList list)) {
            throw new IllegalStateException(dataset.uri() + " stores vectors of type " + vector.getType()
                    + ", not fixed-size lists");
        }
        return list.getListSize();
    }

    /** Dataset versions are positive ints in Lance. */
    public static long checkVersion(long datasetVersion) {
        if (datasetVersion < 1 || datasetVersion > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("no dataset version " + datasetVersion);
        }
        return datasetVersion;
    }
}
